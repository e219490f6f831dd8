// decode → parse → normalize → source states on the current thread (DESIGN.md §1 steps 4–6).
// Its own module so the processor (process.ts) imports it only when a document is processed
// here: in the server every document goes to a parse worker, and the main thread never loads
// rss-parser, htmlparser2, iconv-lite and their dependencies (tens of MB of idle RSS).
import type { NormalizedFeed } from '../model/types.js';
import { decodeFeedBytes } from './decode.js';
import { normalizeFeed } from './normalize.js';
import { parseFeedDocument } from './parse.js';
import { processKnown } from './refetch.js';
import { sourceStates } from './source-states.js';
import type { ProcessOptions } from './types.js';

/** The whole pipeline on the current thread (on a re-fetch, for the items not known yet). */
export async function processFeedInline(bytes: Buffer, opts: ProcessOptions): Promise<NormalizedFeed> {
  const decoded = decodeFeedBytes(bytes, opts.contentType);
  const run = async (text: string) => {
    const doc = await parseFeedDocument(text);
    doc.lint.unshift(...decoded.lint);
    return { feed: normalizeFeed(doc, opts), kind: doc.kind };
  };
  const { feed, kind } = opts.known ? await processKnown(decoded.text, { ...opts, known: opts.known }, run) : await run(decoded.text);
  const states = sourceStates(decoded.text, kind);
  return states.length ? { ...feed, states } : feed;
}

