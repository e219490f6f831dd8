// A tiny, fast XML string builder for the RSS and Atom serializers. Text is always escaped
// (never CDATA: escaping is simpler and immune to "]]>"), characters XML 1.0 forbids are
// removed everywhere, attributes are written in the order given, so output is deterministic.
import { stripForbidden } from './text.js';

/** Attributes in output order; undefined values are skipped. */
export type Attrs = ReadonlyArray<readonly [name: string, value: string | number | undefined]>;

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_G = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"'\t\n\r]/;
const ATTR_SPECIAL_G = /[&<>"'\t\n\r]/g;

/** CR as a reference: end-of-line handling (XML 1.0 §2.11) would otherwise turn it into LF. */
const TEXT_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
/**
 * Quotes are escaped so either delimiter is safe; tab/CR/LF become character references
 * because attribute-value normalization (XML 1.0 §3.3.3) would turn them into spaces.
 */
const ATTR_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes character data; ">" too, so "]]>" can never appear in text. */
export function escapeText(s: string): string {
  const clean = stripForbidden(s);
  return TEXT_SPECIAL.test(clean) ? clean.replace(TEXT_SPECIAL_G, (c) => TEXT_ENTITY[c] as string) : clean;
}

export function escapeAttr(s: string): string {
  const clean = stripForbidden(s);
  return ATTR_SPECIAL.test(clean) ? clean.replace(ATTR_SPECIAL_G, (c) => ATTR_ENTITY[c] as string) : clean;
}

export function attrsToString(attrs: Attrs | undefined): string {
  if (attrs === undefined) return '';
  let out = '';
  for (const [name, value] of attrs) {
    if (value === undefined) continue;
    out += ` ${name}="${typeof value === 'number' ? String(value) : escapeAttr(value)}"`;
  }
  return out;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const INDENTS: string[] = Array.from({ length: 16 }, (_, i) => '  '.repeat(i));

/**
 * Appends pretty-printed markup (two-space indent; text content is never reindented) to an
 * array and joins once at the end. Element names are trusted constants from the serializers.
 */
export class XmlWriter {
  private readonly parts: string[] = [XML_DECLARATION];
  private depth = 0;

  private indent(): string {
    return INDENTS[this.depth] ?? '  '.repeat(this.depth);
  }

  open(name: string, attrs?: Attrs): this {
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}>\n`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.parts.push(`${this.indent()}</${name}>\n`);
    return this;
  }

  /** `<name attrs>text</name>`; skipped entirely when text is undefined. */
  leaf(name: string, text: string | undefined, attrs?: Attrs): this {
    if (text === undefined) return this;
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}>${escapeText(text)}</${name}>\n`);
    return this;
  }

  /** `<name attrs/>`. */
  empty(name: string, attrs: Attrs): this {
    this.parts.push(`${this.indent()}<${name}${attrsToString(attrs)}/>\n`);
    return this;
  }

  toString(): string {
    return this.parts.join('');
  }
}
