// Bytes → text (DESIGN.md §1 step 4). The one home of iconv-lite. Order of evidence:
// a BOM, then "the bytes are valid UTF-8" (labels lie far more often than bytes do), then
// the XML declaration, then the HTTP charset, then windows-1252 — what browsers assume.
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { DecodeError } from '../errors.js';
import type { DecodedText } from './types.js';
import type { LintIssue } from '../model/types.js';
import { removeXmlForbidden } from '../xml-chars.js';

/**
 * WHATWG Encoding maps these labels to windows-1252: real-world "ISO-8859-1" content uses
 * 0x80–0x9F for curly quotes and dashes, which strict Latin-1 would turn into C1 controls.
 */
const WINDOWS_1252_ALIASES = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii', 'cp819', 'ibm819', 'iso_8859-1', 'windows-1252', 'cp1252', 'x-cp1252']);

/** Normalizes a charset label to the name we decode with; undefined when unsupported. */
export function canonicalCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!l) return undefined;
  if (WINDOWS_1252_ALIASES.has(l)) return 'windows-1252';
  if (l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  if (l === 'utf-16' || l === 'utf16' || l === 'unicode') return 'utf-16';
  if (l === 'x-sjis' || l === 'shift-jis' || l === 'sjis' || l === 'ms_kanji') return 'shift_jis';
  if (l === 'gb2312' || l === 'x-gbk' || l === 'cp936') return 'gbk';
  if (l === 'x-euc-jp') return 'euc-jp';
  return iconv.encodingExists(l) ? l : undefined;
}

/** The `charset` parameter of a Content-Type header. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m?.[2];
}

const PROLOG = /^(?:\uFEFF)?\s*<\?xml\b[^>]*?\?>/;
const PROLOG_ENCODING = /\sencoding\s*=\s*(["'])([^"']*)\1/;

/** The `encoding=` of an XML declaration, read from the ASCII-compatible head of the bytes. */
export function prologEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 512).toString('latin1');
  const prolog = PROLOG.exec(head.replace(/^\u00ef\u00bb\u00bf/, ''))?.[0];
  return prolog ? PROLOG_ENCODING.exec(prolog)?.[2] : undefined;
}

/** UTF-16 without a BOM still starts "<?" or "<" with NUL bytes interleaved (XML 1.0 App. F). */
function sniffUtf16(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[3] === 0x00) return 'utf-16le';
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00) return 'utf-16be';
  if (bytes[0] === 0x7b && bytes[1] === 0x00 && bytes[3] === 0x00) return 'utf-16le';
  if (bytes[0] === 0x00 && bytes[1] === 0x7b && bytes[2] === 0x00) return 'utf-16be';
  return undefined;
}

// Stateless between calls (decode() without `stream`), so one instance serves every document.
const UTF8 = new TextDecoder('utf-8');

function decodeWith(bytes: Buffer, encoding: string): string {
  try {
    if (encoding === 'utf-8') return UTF8.decode(bytes);
    return iconv.decode(bytes, encoding, { stripBOM: true });
  } catch (cause) {
    throw new DecodeError(`decode: cannot decode as ${encoding}`, { cause });
  }
}

/**
 * The prolog must not claim an encoding for text that is already decoded: drop the
 * pseudo-attribute so the XML parser reads the string as it is.
 */
function stripPrologEncoding(text: string): string {
  return text.replace(PROLOG, (prolog) => prolog.replace(/^\uFEFF/, '').replace(PROLOG_ENCODING, ''));
}

/** Decodes a fetched feed body to text, recording how it decided and what it repaired. */
export function decodeFeedBytes(bytes: Buffer, contentType?: string): DecodedText {
  if (bytes.length === 0) throw new DecodeError('decode: empty body');
  const lint: LintIssue[] = [];
  const headerLabel = charsetFromContentType(contentType);
  const header = canonicalCharset(headerLabel);

  let encoding: string;
  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8';
    body = bytes.subarray(3);
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le';
    body = bytes.subarray(2);
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be';
    body = bytes.subarray(2);
  } else {
    const utf16 = sniffUtf16(bytes);
    const prologLabel = utf16 ? undefined : prologEncoding(bytes);
    const prolog = canonicalCharset(prologLabel);
    if (utf16) {
      encoding = utf16;
    } else if (isUtf8(bytes)) {
      encoding = 'utf-8';
      // Pure ASCII reads the same in every ASCII-compatible charset: no label is wrong then.
      if (!isAscii(bytes)) {
        const wrong = [prolog && prolog !== 'utf-8' ? `XML declaration says ${prologLabel}` : '', !prolog && header && header !== 'utf-8' ? `HTTP header says ${headerLabel}` : '']
          .filter(Boolean)
          .join(', ');
        if (wrong) lint.push({ code: 'charset_mislabeled', message: `${wrong} but the bytes are UTF-8; decoded as UTF-8` });
      }
    } else if (prolog && prolog !== 'utf-8' && prolog !== 'utf-16') {
      encoding = prolog;
      if (header && header !== prolog && header !== 'utf-8') {
        lint.push({ code: 'charset_mislabeled', message: `HTTP header says ${headerLabel}, XML declaration says ${prologLabel}; used the declaration` });
      }
    } else if (header && header !== 'utf-8' && header !== 'utf-16') {
      encoding = header;
      if (prolog === 'utf-8') lint.push({ code: 'charset_mislabeled', message: `XML declaration says ${prologLabel} but the bytes are not UTF-8; used the HTTP charset ${headerLabel}` });
    } else {
      encoding = 'windows-1252';
      const claimed = prologLabel ?? headerLabel;
      if (claimed) lint.push({ code: 'charset_mislabeled', message: `declared ${claimed} but the bytes are not valid in it; decoded as windows-1252` });
    }
  }

  const decoded = decodeWith(body, encoding).replace(/^\uFEFF/, '');
  const { text, removed } = removeXmlForbidden(decoded);
  if (removed > 0) lint.push({ code: 'control_characters', message: `removed ${removed} character(s) XML 1.0 forbids`, count: removed });
  return { text: stripPrologEncoding(text), encoding, lint };
}
