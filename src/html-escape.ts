// Escaping text for HTML: element text and double-quoted attribute values (HTML Living Standard
// §13.1.2.3 and §13.1.2.6: `&` and `<` end text, `"` ends such a value, `>` for old parsers).
// Every place we write HTML quotes attributes with `"`, which is also how the sanitizer
// (ingest/sanitize.ts) writes them, so partner views can find a URL in sanitized HTML by escaping
// it the same way. A leaf like xml-chars.ts: ingest, publish, services and the console share it.

const SPECIAL = /[&<>"]/;

export function escapeHtml(s: string): string {
  // Most titles need nothing; native replaceAll beats one regex with a callback (xml-writer.ts).
  if (!SPECIAL.test(s)) return s;
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
