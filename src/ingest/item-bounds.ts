// Size bounds on one item's text. A feed's bytes are capped at the fetch, but one item can still
// be a 9.5 MiB body: sanitizing it, deriving its text, indexing it for search and carrying it
// across two thread boundaries cost well over ten times its size at once (bench hostile-memory),
// for a body no reader shows. Longer content is cut at a markup boundary before any of that.

/** Characters of HTML (or text) kept for one item's content, summary or title. */
export const MAX_ITEM_TEXT_CHARS = 512 * 1024;

/**
 * `value` cut to at most `max` characters, after the last complete tag when it is markup (the
 * sanitizer closes what stays open); undefined when it already fits.
 */
export function cutOversized(value: string, max = MAX_ITEM_TEXT_CHARS): string | undefined {
  if (value.length <= max) return undefined;
  let cut = value.slice(0, max);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  // Never end on half a surrogate pair.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}
