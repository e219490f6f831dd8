// Characters XML 1.0 §2.2 forbids (C0 controls but \t \n \r, U+FFFE, U+FFFF) and lone
// surrogates (not Unicode scalar values, so not encodable as UTF-8). Ingest removes them from
// what it reads and publish from what it writes; a leaf like errors.ts, so both share one rule.

// eslint-disable-next-line no-control-regex
export const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// eslint-disable-next-line no-control-regex
const C0_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

declare global {
  interface String {
    /** ES2024; in Node ≥ 20. */
    isWellFormed(): boolean;
  }
}

/**
 * Cheap proof that a string holds none: almost every string is clean. The C0 test is a Latin-1
 * character class (V8 scans those fastest), `isWellFormed` finds lone surrogates natively, and
 * U+FFFE/U+FFFF are rare enough for indexOf; the full pattern then runs only where it may match.
 */
export function mayHoldXmlForbidden(s: string): boolean {
  return C0_FORBIDDEN.test(s) || !s.isWellFormed() || s.indexOf('\uFFFE') !== -1 || s.indexOf('\uFFFF') !== -1;
}

export function stripXmlForbidden(s: string): string {
  return mayHoldXmlForbidden(s) ? s.replace(XML_FORBIDDEN, '') : s;
}

/** Removes them and counts how many (ingest reports the count as lint). */
export function removeXmlForbidden(s: string): { text: string; removed: number } {
  if (!mayHoldXmlForbidden(s)) return { text: s, removed: 0 };
  let removed = 0;
  const text = s.replace(XML_FORBIDDEN, () => {
    removed++;
    return '';
  });
  return { text, removed };
}
