// OPML 1.0/2.0 subscription lists (http://opml.org/spec2.opml): every `outline` with an
// `xmlUrl` is a feed; nested outlines' `text`/`title` become the feed's categories, as readers
// (NetNewsWire, Miniflux, FreshRSS) use folders.
import { Parser } from 'htmlparser2';
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
  let failure: Error | undefined;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'opml') sawOpml = true;
        if (name !== 'outline') return;
        const label = (attrs.title ?? attrs.text)?.trim() || undefined;
        if (attrs.xmlurl ?? attrs.xmlUrl) {
          feeds.push({
            url: (attrs.xmlurl ?? attrs.xmlUrl)!.trim(),
            title: label,
            siteUrl: (attrs.htmlurl ?? attrs.htmlUrl)?.trim() || undefined,
            categories: folders.filter((f): f is string => !!f),
          });
          folders.push(undefined);
        } else folders.push(label);
      },
      onclosetag(name) {
        if (name === 'outline') folders.pop();
      },
      onerror(err) {
        failure = err;
      },
    },
    { xmlMode: true, lowerCaseAttributeNames: true, decodeEntities: true },
  );
  parser.end(text);
  if (failure) throw new ParseError(`opml: ${failure.message}`, { cause: failure });
  if (!sawOpml) throw new ParseError('opml: not an OPML document (no <opml> element)');
  return feeds;
}
