// RSS 1.0 (https://web.resource.org/rss/1.0/spec) and Netscape RSS 0.90 on the wire: an
// rdf:RDF root holding a channel and, beside it, items named by rdf:about. The item and
// channel elements are RSS's (../rss/wire.ts); what RDF adds is the rdf:about attribute.
import type { RssItem } from '../rss/wire.js';

export type RdfItem = RssItem & { attrs?: RssItem['attrs'] & { 'rdf:about'?: string } };

/** The resource an RDF item describes: its link when it gives no `<link>`. */
export function rdfAbout(item: RdfItem): string | undefined {
  return item.attrs?.['rdf:about'];
}
