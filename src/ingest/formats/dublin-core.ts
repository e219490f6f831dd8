// Dublin Core terms dates on an item (https://www.dublincore.org/specifications/dublin-core/dcmi-terms/):
// `dcterms:issued` (date of formal issuance), `dcterms:created`, `dcterms:available` and
// `dcterms:modified`, read the way feedparser reads them: issued/created/available as the
// publication date, modified as the update. The elements are captured under the `dcterms:`
// prefix; namespaces.ts has already renamed whatever prefix the document bound to the DC terms
// namespace. (`dc:date` of DC elements 1.1 stays a separate, last fallback in dates.ts.)
import type { XmlItemRaw } from './document.js';
import { firstText } from './xml-node.js';

export function dublinCoreDates(item: XmlItemRaw): { published?: string; updated?: string } {
  const published = firstText(item.dctermsIssuedRaw) ?? firstText(item.dctermsCreatedRaw) ?? firstText(item.dctermsAvailableRaw);
  const updated = firstText(item.dctermsModifiedRaw);
  return { ...(published ? { published } : {}), ...(updated ? { updated } : {}) };
}
