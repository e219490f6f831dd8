// A tiny, fast XML string builder for the RSS and Atom serializers. Text is always escaped
// (never CDATA: escaping is simpler and immune to "]]>"), characters XML 1.0 forbids are
// removed everywhere, attributes are written in the order given, so output is deterministic.
import { stripXmlForbidden } from '../xml-chars.js';

/** Attributes in output order; undefined values are skipped. */
export type Attrs = ReadonlyArray<readonly [name: string, value: string | number | undefined]>;

const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/;
const ATTR_SPECIAL_G = /[&<>"'\t\n\r]/g;

/**
 * Quotes are escaped so either delimiter is safe; tab/CR/LF become character references
 * because attribute-value normalization (XML 1.0 §3.3.3) would turn them into spaces.
 */
const ATTR_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Escapes character data; ">" too, so "]]>" can never appear in text, and CR as a reference,
 * which end-of-line handling (XML 1.0 §2.11) would otherwise turn into LF.
 */
export function escapeText(s: string): string {
  return escapeTextRaw(stripXmlForbidden(s));
}

export function escapeAttr(s: string): string {
  return escapeAttrRaw(stripXmlForbidden(s));
}

/** Escaping only: the writer removes forbidden characters once, over the whole document. */
function escapeTextRaw(clean: string): string {
  if (!TEXT_SPECIAL.test(clean)) return clean;
  // Native string replaceAll beats one regex with a callback about 3× on markup-heavy HTML.
  let out = clean.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  if (out.indexOf('\r') !== -1) out = out.replaceAll('\r', '&#13;');
  return out;
}

function escapeAttrRaw(clean: string): string {
  return ATTR_SPECIAL.test(clean) ? clean.replace(ATTR_SPECIAL_G, (c) => ATTR_ENTITY[c] as string) : clean;
}

function attrsToString(attrs: Attrs | undefined): string {
  if (attrs === undefined) return '';
  let out = '';
  for (const [name, value] of attrs) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? String(value) : escapeAttrRaw(value)}"`;
  }
  return out;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const INDENTS: string[] = Array.from({ length: 16 }, (_, i) => '  '.repeat(i));

/**
 * Appends pretty-printed markup (two-space indent; text content is never reindented) to an
 * array and joins once at the end. Element names are trusted constants from the serializers.
 */
export class XmlWriter {
  private readonly parts: string[];
  private depth: number;

  /** A fragment writer (`declaration: false`) starts at the depth where its markup will sit. */
  constructor(opts: { declaration?: boolean; depth?: number } = {}) {
    this.parts = opts.declaration === false ? [] : [XML_DECLARATION];
    this.depth = opts.depth ?? 0;
  }

  private indent(): string {
    return INDENTS[this.depth] ?? '  '.repeat(this.depth);
  }

  open(name: string, attrs?: Attrs): this {
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}>\n`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.parts.push(`${this.indent()}</${name}>\n`);
    return this;
  }

  /** `<name attrs>text</name>`; skipped entirely when text is undefined. */
  leaf(name: string, text: string | undefined, attrs?: Attrs): this {
    if (text === undefined) return this;
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}>${escapeTextRaw(text)}</${name}>\n`);
    return this;
  }

  /** `<name attrs/>`. */
  empty(name: string, attrs: Attrs): this {
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}/>\n`);
    return this;
  }

  /**
   * Forbidden characters are removed here, in one pass over what the writer wrote, rather than
   * per value: escaping never introduces them, the markup has none, and one scan of the whole
   * output costs far less than thousands of small ones. Markup always separates values, so
   * two lone surrogate halves from different values can never pair up.
   */
  toString(): string {
    return stripXmlForbidden(this.parts.join(''));
  }
}
