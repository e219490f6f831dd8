// Categories of an RSS item or Atom entry: `category` (RSS domain / Atom scheme and label) and
// Dublin Core `dc:subject`; one category per term and scheme.
import type { Category } from '../../model/types.js';
import { nodeAttr } from './xml-node.js';
import { type XmlItemRaw } from './document.js';
import { defined } from './draft.js';
import type { UrlContext } from './url-context.js';
import { allTexts, text } from './xml-node.js';

export function xmlCategories(item: Pick<XmlItemRaw, 'categoriesRaw' | 'dcSubjectRaw'>, urls: UrlContext): Category[] {
  const out: Category[] = [];
  for (const c of item.categoriesRaw ?? []) {
    const term = text(c) ?? nodeAttr(c, 'term')?.trim();
    if (!term) continue;
    const scheme = urls.identifier(nodeAttr(c, 'domain') ?? nodeAttr(c, 'scheme'));
    const label = nodeAttr(c, 'label');
    out.push(defined({ term, scheme, label: label?.trim() || undefined }));
  }
  for (const s of allTexts(item.dcSubjectRaw)) out.push({ term: s });
  return out;
}

export function dedupeCategories(list: Category[]): Category[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = `${c.term.toLowerCase()}|${c.scheme ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
