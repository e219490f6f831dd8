// The one home of htmlparser2 (DESIGN.md §2): a streaming start/end-tag scanner, used for HTML
// pages (feed discovery) and small XML documents (OPML). Entities are decoded and names
// lower-cased, so callers match plain names.
import { Parser } from 'htmlparser2';

export interface TagHandlers {
  onopentag?(name: string, attrs: Record<string, string>): void;
  onclosetag?(name: string): void;
}

/** Scans `text`; in XML mode a syntax error htmlparser2 reports is thrown. */
export function scanTags(text: string, handlers: TagHandlers, opts: { xmlMode: boolean }): void {
  let failure: Error | undefined;
  const parser = new Parser(
    {
      onopentag: (name, attrs) => handlers.onopentag?.(name, attrs),
      onclosetag: (name) => handlers.onclosetag?.(name),
      onerror: (err) => {
        failure ??= err;
      },
    },
    { xmlMode: opts.xmlMode, decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(text);
  if (failure) throw failure;
}
