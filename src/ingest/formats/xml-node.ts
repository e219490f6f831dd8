// xml2js nodes as parse.ts captures them, and their readers: element, text, attribute,
// children; trimmed text of one node, the first of a list, all of a list (blank reads as absent).

export type XmlAttrs = Record<string, string>;
/** An xml2js node: text, or an element with `_` text, `$` attributes and child arrays. */
export type XmlNode = string | XmlElement;
export interface XmlElement {
  _?: string;
  $?: XmlAttrs;
  [child: string]: unknown;
}

export function isElement(n: unknown): n is XmlElement {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

/** Text content of a node (string node or `_` of an element). */
export function nodeText(n: unknown): string | undefined {
  if (typeof n === 'string') return n;
  if (isElement(n) && typeof n._ === 'string') return n._;
  return undefined;
}

export function nodeAttr(n: unknown, name: string): string | undefined {
  return isElement(n) && n.$ && typeof n.$[name] === 'string' ? n.$[name] : undefined;
}

/** Child elements named `name` of an element node. */
export function childNodes(n: unknown, name: string): XmlNode[] {
  if (!isElement(n)) return [];
  const c = n[name];
  return Array.isArray(c) ? (c as XmlNode[]) : [];
}

export function text(n: unknown): string | undefined {
  const t = nodeText(n)?.trim();
  return t ? t : undefined;
}

export function firstText(list: readonly unknown[] | undefined): string | undefined {
  for (const n of list ?? []) {
    const t = text(n);
    if (t) return t;
  }
  return undefined;
}

export function allTexts(list: readonly unknown[] | undefined): string[] {
  return (list ?? []).map(text).filter((t): t is string => !!t);
}
