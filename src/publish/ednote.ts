// Notes to editors in RSS and Atom partner outputs. There is no RSS or Atom element for them;
// IPTC's NewsML-G2 has one, `edNote` in the NAR namespace (the same field ninjs calls
// `ednote`), so partner tooling that knows IPTC recognizes it. The namespace is declared on the
// element itself: public documents (which never carry a note) keep their bytes unchanged.
import type { Article } from '../model/types.js';
import { nonEmpty } from './field-values.js';
import type { XmlWriter } from './xml-writer.js';

const NAR_NS = 'http://iptc.org/std/nar/2006-10-01/';

export function writeEdnote(w: XmlWriter, a: Article): void {
  const note = nonEmpty(a.ednote);
  if (note !== undefined) w.leaf('nar:edNote', note, [['xmlns:nar', NAR_NS]]);
}
