// The one home of htmlparser2 (DESIGN.md §2): a streaming start/end-tag scanner, used for HTML
// pages (feed discovery), small XML documents (OPML) and feed HTML bodies (the sanitizer and
// text extraction). Entities are decoded and names lower-cased, so callers match plain names.
import { Parser } from 'htmlparser2';

export interface TagHandlers {
  onopentag?(name: string, attrs: Record<string, string>): void;
  /** `implied`: the document ended (or an outer tag closed) without this element's end tag. */
  onclosetag?(name: string, implied: boolean): void;
  ontext?(text: string): void;
}

/** Scans `text`; in XML mode a syntax error htmlparser2 reports is thrown. */
export function scanTags(text: string, handlers: TagHandlers, opts: { xmlMode: boolean }): void {
  let failure: Error | undefined;
  // htmlparser2 reports `<x/>` and an element the document never closes alike as an "implied"
  // close; only the second is missing its end tag.
  let selfClosing = false;
  const parser = new Parser(
    {
      onopentag: (name, attrs) => {
        selfClosing = text.slice(parser.startIndex, parser.endIndex + 1).endsWith('/>');
        handlers.onopentag?.(name, attrs);
      },
      onclosetag: (name, implied) => {
        const missing = implied && !selfClosing;
        selfClosing = false;
        handlers.onclosetag?.(name, missing);
      },
      ontext: (chunk) => handlers.ontext?.(chunk),
      onerror: (err) => {
        failure ??= err;
      },
    },
    { xmlMode: opts.xmlMode, decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(text);
  if (failure) throw failure;
}

/**
 * Scans an HTML fragment with htmlparser2's HTML-mode defaults, handing the events straight
 * through (the sanitizer's hot path: no per-tag work here). Comments, CDATA sections,
 * processing instructions and doctypes raise no event, so they vanish from what callers write.
 */
export function scanHtml(html: string, handlers: Required<TagHandlers>): void {
  new Parser(handlers, { decodeEntities: true }).end(html);
}
