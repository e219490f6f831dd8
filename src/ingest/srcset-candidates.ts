// The one home of parse-srcset: a srcset attribute read as HTML reads it (§4.8.4.3.10, "parse
// a srcset attribute") and written back in its canonical form, as sanitize-html writes it.
// Candidates whose URL names a scheme other than http(s), or is protocol-relative, are
// dropped. urls.ts has already made every candidate absolute; this second reading is the
// one browsers will do, so what it finds is what is checked.
import parseSrcset from 'parse-srcset';
import { isUnsafeHref } from './urls.js';

const HTTP_SCHEMES = ['http', 'https'];

/** The srcset as browsers read it, with only http(s) candidates; undefined when none is left or it cannot be read. */
export function canonicalSrcset(value: string): string | undefined {
  let candidates;
  try {
    candidates = parseSrcset(value).filter((c) => !isUnsafeHref(c.url, HTTP_SCHEMES));
  } catch {
    return undefined;
  }
  if (candidates.length === 0) return undefined;
  const out: string[] = [];
  for (const c of candidates) {
    if (!c.url) return undefined;
    out.push(c.url + (c.w ? ` ${c.w}w` : '') + (c.h ? ` ${c.h}h` : '') + (c.d ? ` ${c.d}x` : ''));
  }
  return out.join(', ');
}
