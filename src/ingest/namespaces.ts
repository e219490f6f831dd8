// Namespace and DTD pre-pass for XML feeds. rss-parser (xml2js) resolves elements by their
// written prefix, so a document that binds the RSS, Atom, Dublin Core or Media RSS namespace to
// another prefix (`<rss:item>` with xmlns:rss="http://purl.org/rss/1.0/", `<dct:issued>`), or
// declares entities in its internal DTD subset, reads as errors or empty items although it is
// valid XML. This pass rewrites such documents into the spelling the parser expects: every
// known namespace under its usual prefix (`dc:`, `dcterms:`, `media:`, `content:`, `rdf:`,
// `atom:` inside RSS) and the format's own elements unprefixed; declared internal entities
// expanded with a size bound. It runs only when a cheap scan says the document needs it, so
// ordinary feeds pay one regex scan of their namespace declarations.
//
// Limits, on purpose: a prefix is taken as bound the same way throughout the document (feeds
// do not rebind prefixes in practice); external entities (SYSTEM/PUBLIC) are never fetched or
// expanded; parameter entities are ignored.
import { ParseError } from '../errors.js';

/** Canonical prefix per namespace URI ('' = the format's own, unprefixed elements). */
const CANONICAL: Readonly<Record<string, string>> = {
  'http://purl.org/rss/1.0/': '',
  'http://backend.userland.com/rss2': '',
  'http://backend.userland.com/rss': '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
};

const ATOM_NS = new Set(['http://www.w3.org/2005/Atom', 'http://purl.org/atom/ns#']);
const NS_DECL = /\sxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ROOT = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]/;

/** Bytes the entity expansion may add to a document (and never more than 10× its size). */
const MAX_ENTITY_EXPANSION = 1 << 20;

export interface NamespaceRepair {
  text: string;
  /** What was rewritten, for the source's lint (empty when the document was left alone). */
  changes: ('prefixes' | 'entities' | 'root')[];
}

/** The document prolog's DOCTYPE with an internal subset, if any. */
const DOCTYPE = /<!DOCTYPE\s+[^[>]*\[([\s\S]*?)\]\s*>/i;
const ENTITY_DECL = /<!ENTITY\s+([A-Za-z_][\w.-]*)\s+(?:"([^"]*)"|'([^']*)'|(SYSTEM|PUBLIC)\b[^>]*)\s*>/g;
const XML_PREDEFINED = new Set(['lt', 'gt', 'amp', 'quot', 'apos']);

function expandEntities(text: string): string | undefined {
  const doctype = DOCTYPE.exec(text.slice(0, 1 << 16));
  if (!doctype || !/<!ENTITY\s/.test(doctype[1]!)) return undefined;
  const values = new Map<string, string>();
  for (const m of doctype[1]!.matchAll(ENTITY_DECL)) {
    // External entities are never resolved: a reference to one is left to fail the parse.
    if (m[4] !== undefined || XML_PREDEFINED.has(m[1]!) || values.has(m[1]!)) continue;
    values.set(m[1]!, m[2] ?? m[3] ?? '');
  }
  const start = doctype.index;
  const body = text.slice(start + doctype[0].length);
  const budget = Math.min(MAX_ENTITY_EXPANSION, 10 * text.length);
  let added = 0;
  const expand = (s: string, depth: number): string =>
    s.replace(/&([A-Za-z_][\w.-]*);/g, (whole, name: string) => {
      const v = values.get(name);
      if (v === undefined) return whole;
      // Billion laughs: nesting and total growth are both bounded; past either the document is refused.
      if (depth > 8) throw new ParseError('parse: entity references nested too deeply', { code: 'parse_failed' });
      const out = expand(v, depth + 1);
      added += out.length;
      if (added > budget) throw new ParseError(`parse: entity expansion over ${budget} bytes refused`, { code: 'parse_failed' });
      return out;
    });
  // The DOCTYPE goes: what it declared is now inline, and sax would refuse its subset anyway.
  return text.slice(0, start) + expand(body, 0);
}

function prefixMap(text: string, rootIsAtom: boolean): Map<string, string> | undefined {
  const map = new Map<string, string>();
  let needed = false;
  for (const m of text.matchAll(NS_DECL)) {
    const prefix = m[1] ?? '';
    const uri = (m[2] ?? m[3] ?? '').trim();
    let canonical = CANONICAL[uri];
    if (canonical === undefined || prefix === '') continue;
    // In an Atom document the Atom namespace is the format's own: unprefixed.
    if (rootIsAtom && ATOM_NS.has(uri)) canonical = '';
    if (map.get(prefix) === canonical) continue;
    map.set(prefix, canonical);
    if (prefix !== canonical) needed = true;
  }
  return needed ? map : undefined;
}

function rewritePrefixes(text: string, map: Map<string, string>): string {
  // Element names (start and end tags) and attribute names (rdf:about, rdf:resource).
  const renamed = text.replace(/(<\/?|\s)([A-Za-z_][\w.-]*):([A-Za-z_][\w.-]*)(?=[\s/>=])/g, (whole, lead: string, prefix: string, local: string) => {
    if (prefix === 'xmlns' || prefix === 'xml') return whole;
    const to = map.get(prefix);
    if (to === undefined) return whole;
    if (to === '' && lead.trim() === '') return whole; // an attribute keeps its prefix unless renamed
    return `${lead}${to === '' ? '' : `${to}:`}${local}`;
  });
  return renamed;
}

/** A root the parser cannot read (a foreign namespace) around RSS content: renamed to what it holds. */
function repairRoot(text: string): string | undefined {
  const m = ROOT.exec(text);
  if (!m) return undefined;
  const name = `${m[1] ?? ''}${m[2]}`;
  if (name === 'rss' || name === 'rdf:RDF' || name === 'feed' || /^(?:html|head|body)$/i.test(m[2]!)) return undefined;
  if (!/<channel[\s>]/.test(text)) return undefined;
  // RSS 1.0 puts items beside the channel, RSS 2.0 inside it.
  const inside = /<channel[\s>][\s\S]*<item[\s>][\s\S]*<\/channel>/.test(text);
  const to = inside ? 'rss' : 'rdf:RDF';
  const escaped = name.replace(/\./g, '\\.');
  const open = new RegExp(`<${escaped}(?=[\\s/>])`);
  const close = new RegExp(`</${escaped}\\s*>`);
  let out = text.replace(open, inside ? `<${to} version="2.0"` : `<${to}`).replace(close, `</${to}>`);
  if (!inside && !/xmlns:rdf\s*=/.test(out)) out = out.replace(`<${to}`, `<${to} xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"`);
  return out;
}

/**
 * Rewrites `text` when its namespaces or DTD need it (see the header); otherwise returns it
 * unchanged with no changes. Throws ParseError for entity expansion past the bound.
 */
export function normalizeNamespaces(text: string): NamespaceRepair {
  const changes: NamespaceRepair['changes'] = [];
  let out = text;
  if (out.includes('<!ENTITY')) {
    const expanded = expandEntities(out);
    if (expanded !== undefined) {
      out = expanded;
      changes.push('entities');
    }
  }
  if (out.includes('xmlns:')) {
    const root = ROOT.exec(out);
    const rootUri = root?.[1] ? new RegExp(`xmlns:${root[1].slice(0, -1)}\\s*=\\s*["']([^"']*)`).exec(out)?.[1] : undefined;
    const rootIsAtom = root?.[2] === 'feed' && (root[1] === undefined || (rootUri !== undefined && ATOM_NS.has(rootUri)));
    const map = prefixMap(out, rootIsAtom);
    if (map) {
      out = rewritePrefixes(out, map);
      changes.push('prefixes');
    }
  }
  const root = repairRoot(out);
  if (root !== undefined) {
    out = root;
    changes.push('root');
  }
  return { text: out, changes };
}
