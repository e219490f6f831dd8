// A partner's view of a cursor page in any format: the events in document order (a story, or
// a tombstone recalling one) and the next link. Parsed with a real XML parser / JSON.parse.
import type { OutputFormat } from '../../src/model/types.js';
import { attr, kid, kids, kidText, parseXml, type XmlElement } from '../fixtures/publish/xml-tree.js';

export interface CursorEvent {
  id: string;
  /** Present on a tombstone. */
  deleted?: { status: string; reason?: string; when?: string };
  title?: string;
}

export interface CursorPage {
  events: CursorEvent[];
  next?: string;
}

function nextLink(links: XmlElement[]): string | undefined {
  return attr(links.find((l) => attr(l, 'rel') === 'next'), 'href');
}

function readAtomPage(body: string): CursorPage {
  const feed = parseXml(body);
  const events: CursorEvent[] = [];
  for (const el of feed.children) {
    if (!('name' in el)) continue;
    const e = el as XmlElement;
    if (e.name === 'entry') events.push({ id: kidText(e, 'id')!, title: kidText(e, 'title') });
    else if (e.name === 'at:deleted-entry') {
      events.push({ id: attr(e, 'ref')!, deleted: { status: kidText(e, 'wf:status')!, reason: kidText(e, 'at:comment'), when: attr(e, 'when') } });
    }
  }
  return { events, next: nextLink(kids(feed, 'link')) };
}

function readRssPage(body: string): CursorPage {
  const channel = kid(parseXml(body), 'channel')!;
  const events = kids(channel, 'item').map((item): CursorEvent => {
    const status = kid(item, 'wf:status');
    const id = kidText(item, 'guid')!;
    return status ? { id, deleted: { status: kidText(item, 'wf:status')!, reason: kidText(item, 'wf:reason'), when: attr(status, 'when') } } : { id, title: kidText(item, 'title') };
  });
  return { events, next: nextLink(kids(channel, 'atom:link')) };
}

interface JsonItem {
  id: string;
  title?: string;
  _deleted?: { status: string; reason?: string; when?: string };
}

function readJsonPage(body: string): CursorPage {
  const feed = JSON.parse(body) as { items: JsonItem[]; next_url?: string };
  return { events: feed.items.map((i) => (i._deleted ? { id: i.id, deleted: i._deleted } : { id: i.id, title: i.title })), next: feed.next_url };
}

interface NinjsItem {
  uri: string;
  pubStatus?: string;
  versionCreated?: string;
  headlines?: { value: string }[];
  descriptions?: { role?: string; value: string }[];
}

function readNinjsPage(body: string): CursorPage {
  const doc = JSON.parse(body) as { items: NinjsItem[]; next_url?: string };
  return {
    events: doc.items.map((i) =>
      i.pubStatus === 'canceled' || i.pubStatus === 'withheld'
        ? { id: i.uri, deleted: { status: i.pubStatus, reason: i.descriptions?.find((d) => d.role === 'notice')?.value, when: i.versionCreated } }
        : { id: i.uri, title: i.headlines?.[0]?.value },
    ),
    next: doc.next_url,
  };
}

export const cursorReaders: Record<OutputFormat, (body: string) => CursorPage> = {
  atom: readAtomPage,
  rss: readRssPage,
  json: readJsonPage,
  ninjs: readNinjsPage,
};
