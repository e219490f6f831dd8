// Media RSS 1.5.1 (http://search.yahoo.com/mrss/) `media:content`, shared by RSS and Atom so
// both carry every asset with its caption, credit and rights.
import type { AssetInput } from '../model/types.js';
import { mimeTypeOf, nonEmpty, wholeNumber } from './field-values.js';
import type { XmlWriter } from './xml-writer.js';

export const MEDIA_NS = 'http://search.yahoo.com/mrss/';

export function writeMediaContent(w: XmlWriter, asset: AssetInput): void {
  w.open('media:content', [
    ['url', asset.url],
    ['type', mimeTypeOf(asset)],
    ['medium', nonEmpty(asset.medium)],
    ['width', wholeNumber(asset.width)],
    ['height', wholeNumber(asset.height)],
    ['fileSize', wholeNumber(asset.size)],
  ]);
  w.leaf('media:title', nonEmpty(asset.title));
  w.leaf('media:description', nonEmpty(asset.caption));
  // Media RSS §media:credit: role values come from the EBU role scheme, so name it when a role is given.
  const role = nonEmpty(asset.creditRole);
  w.leaf('media:credit', nonEmpty(asset.credit), role === undefined ? undefined : [['role', role], ['scheme', 'urn:ebu']]);
  w.leaf('media:copyright', nonEmpty(asset.rights));
  const thumb = nonEmpty(asset.thumbnailUrl);
  if (thumb !== undefined) w.empty('media:thumbnail', [['url', thumb]]);
  w.close('media:content');
}
