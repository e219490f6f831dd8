// Microsoft's Channel Definition Format (CDF, W3C Note NOTE-CDFsubmit-19970309) on the wire: a
// CHANNEL root with TITLE and ABSTRACT children and HREF, BASE and LASTMOD attributes, holding
// ITEMs described the same way (and sub-CHANNELs holding more ITEMs). It is read into the shape
// parse.ts gives an RSS channel, so the RSS adapter reads it: HREF is the link, ABSTRACT the
// description, LASTMOD the item's last modification (as dcterms:modified), BASE the xml:base.
// CDF's TITLE and ABSTRACT are plain text; RSS text fields are HTML, so they are escaped here.
import { scanTags } from '../../markup-scan.js';
import type { XmlFeed, XmlItemRaw } from '../document.js';

type Described = { title?: string; abstract?: string; href?: string; lastmod?: string };

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const list = (s: string | undefined) => (s?.trim() ? [s] : undefined);

/** The fields a CHANNEL and an ITEM share, as RSS captures them. */
function described(d: Described): Pick<XmlItemRaw, 'titleRaw' | 'descriptionRaw' | 'linksRaw'> {
  const title = list(d.title && escapeHtml(d.title));
  const description = list(d.abstract && escapeHtml(d.abstract));
  const link = list(d.href);
  return { ...(title ? { titleRaw: title } : {}), ...(description ? { descriptionRaw: description } : {}), ...(link ? { linksRaw: link } : {}) };
}

function asItem(d: Described): XmlItemRaw {
  const lastmod = list(d.lastmod);
  return { ...described(d), ...(lastmod ? { dctermsModifiedRaw: lastmod } : {}) };
}

/** Reads a CDF document (names below the root are matched case-insensitively, as CDF writers vary). Throws on malformed XML. */
export function readCdf(text: string): { feed: XmlFeed; base?: string } {
  const channel: Described = {};
  let base: string | undefined;
  const items: Described[] = [];
  // The innermost CHANNEL or ITEM being described, and the TITLE/ABSTRACT whose text is read.
  const open: { name: string; d: Described }[] = [];
  let reading: { field: 'title' | 'abstract'; text: string } | undefined;
  let unclosed: string | undefined;
  scanTags(
    text,
    {
      onopentag(name, attrs) {
        if (name === 'channel' || name === 'item') {
          const d: Described = name === 'channel' && open.length === 0 ? channel : {};
          if (attrs.href !== undefined) d.href = attrs.href;
          if (attrs.lastmod !== undefined) d.lastmod = attrs.lastmod;
          if (open.length === 0 && attrs.base !== undefined) base = attrs.base;
          if (name === 'item') items.push(d);
          open.push({ name, d });
        } else if ((name === 'title' || name === 'abstract') && open.length > 0) reading = { field: name, text: '' };
      },
      ontext(chunk) {
        if (reading) reading.text += chunk;
      },
      onclosetag(name, implied) {
        // htmlparser2 closes what a document leaves open instead of failing: that is malformed XML.
        if (implied) unclosed ??= name;
        if (reading && name === reading.field) {
          open[open.length - 1]!.d[reading.field] ??= reading.text;
          reading = undefined;
        } else if (name === 'channel' || name === 'item') open.pop();
      },
    },
    { xmlMode: true },
  );
  if (unclosed) throw new Error(`<${unclosed}> is never closed`);
  const feed: XmlFeed = { ...described(channel), items: items.map(asItem) };
  return { feed, ...(base?.trim() ? { base: base.trim() } : {}) };
}
