// OPML 1.0/2.0 subscription lists (http://opml.org/spec2.opml): every `outline` with an
// `xmlUrl` is a feed; nested outlines' `text`/`title` become the feed's categories, as readers
// (NetNewsWire, Miniflux, FreshRSS) use folders.
import { scanTags } from './markup-scan.js';
import { ParseError } from '../errors.js';

export interface OpmlFeed {
  url: string;
  title?: string;
  siteUrl?: string;
  categories: string[];
}

export function parseOpml(text: string): OpmlFeed[] {
  const feeds: OpmlFeed[] = [];
  const folders: (string | undefined)[] = [];
  let sawOpml = false;
  let unclosed: string | undefined;
  try {
    scanTags(
      text,
      {
        onopentag(name, attrs) {
          if (name === 'opml') sawOpml = true;
          if (name !== 'outline') return;
          const label = (attrs.title ?? attrs.text)?.trim() || undefined;
          const xmlUrl = attrs.xmlurl?.trim();
          if (xmlUrl) {
            feeds.push({ url: xmlUrl, title: label, siteUrl: attrs.htmlurl?.trim() || undefined, categories: folders.filter((f): f is string => !!f) });
            folders.push(undefined);
          } else folders.push(label);
        },
        onclosetag(name, implied) {
          if (implied) unclosed ??= name;
          if (name === 'outline') folders.pop();
        },
      },
      { xmlMode: true },
    );
  } catch (cause) {
    throw new ParseError(`opml: ${(cause as Error).message}`, { cause });
  }
  if (!sawOpml) throw new ParseError('opml: not an OPML document (no <opml> element)');
  // htmlparser2 closes what is left open at the end instead of failing: a file cut short
  // would otherwise import its first half and say nothing.
  if (unclosed) throw new ParseError(`opml: malformed document: <${unclosed}> is never closed (is the file truncated?)`);
  return feeds;
}
