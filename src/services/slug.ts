// The one rule for source and channel slugs (they appear in feed URLs): checked by the services,
// and by the HTTP layer's request schemas with the same expression and wording.
import { ValidationError } from '../errors.js';

export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const SLUG_RULE = 'must be 1–64 lowercase letters, digits and dashes, not starting or ending with a dash';

export function checkSlug(slug: unknown): asserts slug is string {
  if (typeof slug !== 'string' || !SLUG_RE.test(slug)) throw new ValidationError('invalid_slug', `slug ${SLUG_RULE}`);
}
