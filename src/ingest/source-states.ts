// Statuses a source declares for its own entries (story lifecycle, DESIGN.md §9):
//   Atom    RFC 6721 `<at:deleted-entry ref="…" when="…"><at:comment>…</at:comment>` kills the
//           entry whose id is `ref`;
//   JSON    an item's ninjs `pubStatus` (usable, withheld, canceled; `embargoed` with
//           `embargoedUntil`), with its `edNote` as the notice.
// The parser and normalizer know nothing of this: processFeed hands the decoded text here after
// normalizing, and a cheap substring test keeps documents without such markers off any extra work.
import { ARTICLE_STATUSES, TOMBSTONES_NS, type ArticleStatus, type SourceState } from '../model/types.js';
import { parseFeedDate } from './dates.js';
import { scanTags } from './markup-scan.js';

const MAX_REASON = 2000;

function reasonOf(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, MAX_REASON) : undefined;
}

/** `at:deleted-entry` elements, whatever prefix the document binds the namespace to. */
export function atomDeletedEntries(xml: string): SourceState[] {
  if (!xml.includes('deleted-entry')) return [];
  const prefixes = new Set<string>();
  const out: SourceState[] = [];
  let open: { state: SourceState; comment?: string; inComment: boolean } | undefined;
  const local = (name: string): { prefix: string; local: string } => {
    const i = name.indexOf(':');
    return i < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, i), local: name.slice(i + 1) };
  };
  try {
    scanTags(
      xml,
      {
        onopentag(name, attrs) {
          for (const [k, v] of Object.entries(attrs)) {
            if (v !== TOMBSTONES_NS) continue;
            if (k === 'xmlns') prefixes.add('');
            else if (k.startsWith('xmlns:')) prefixes.add(k.slice(6));
          }
          const n = local(name);
          if (!prefixes.has(n.prefix)) return;
          if (n.local === 'deleted-entry' && attrs.ref) {
            open = { state: { ref: attrs.ref.trim(), status: 'canceled' }, inComment: false };
          } else if (n.local === 'comment' && open) {
            open.inComment = true;
            open.comment = '';
          }
        },
        ontext(text) {
          if (open?.inComment) open.comment += text;
        },
        onclosetag(name) {
          const n = local(name);
          if (!open || !prefixes.has(n.prefix)) return;
          if (n.local === 'comment') open.inComment = false;
          else if (n.local === 'deleted-entry') {
            const reason = reasonOf(open.comment);
            out.push(reason ? { ...open.state, reason } : open.state);
            open = undefined;
          }
        },
      },
      { xmlMode: true },
    );
  } catch {
    // The document already parsed as a feed; a tombstone scan that trips over it finds nothing.
    return out;
  }
  return out;
}

const isStatus = (s: unknown): s is ArticleStatus => typeof s === 'string' && (ARTICLE_STATUSES as readonly string[]).includes(s);

/** ninjs `pubStatus` on the items of a JSON document (JSON Feed `items[]`). */
export function jsonPubStatuses(text: string): SourceState[] {
  if (!text.includes('"pubStatus"')) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const items = (doc as { items?: unknown })?.items;
  if (!Array.isArray(items)) return [];
  const out: SourceState[] = [];
  for (const raw of items) {
    const item = raw as { id?: unknown; uri?: unknown; pubStatus?: unknown; embargoedUntil?: unknown; edNote?: unknown };
    const ref = typeof item?.id === 'string' ? item.id : typeof item?.uri === 'string' ? item.uri : undefined;
    if (!ref || !isStatus(item.pubStatus)) continue;
    const state: SourceState = { ref, status: item.pubStatus };
    const reason = reasonOf(item.edNote);
    if (reason) state.reason = reason;
    const until = typeof item.embargoedUntil === 'string' ? parseFeedDate(item.embargoedUntil) : undefined;
    if (state.status === 'embargoed') {
      // An embargo without a readable end cannot be lifted by the clock: hold it as withheld.
      if (until) state.embargoedUntil = until.toISOString();
      else state.status = 'withheld';
    }
    out.push(state);
  }
  return out;
}

/** Every status the decoded document declares, for either kind of document. */
export function sourceStates(text: string, kind: 'xml' | 'json'): SourceState[] {
  return kind === 'xml' ? atomDeletedEntries(text) : jsonPubStatuses(text);
}
