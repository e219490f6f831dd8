// The sanitizer's reference: sanitize-html (2.17) configured with the same policy
// (src/ingest/sanitize-policy.ts) the hand-written sanitizer applies. The differential test
// holds src/ingest/sanitize.ts to this output; it is what production ran before.
import sanitize from 'sanitize-html';
import {
  ALLOWED_ATTRIBUTES,
  ALLOWED_TAGS,
  IFRAME_HOSTS,
  NON_TEXT_TAGS,
  SELF_CLOSING,
  TEXT_NON_TEXT_TAGS,
  URL_ATTRIBUTES,
  dropsElement,
  rewriteAttributes,
} from '../../src/ingest/sanitize-policy.js';
import type { UrlPolicy } from '../../src/ingest/urls.js';

/** sanitize-html's full path (no shortcut for text without markup), trimmed as the sanitizer trims. */
export function referenceSanitize(html: string, baseUrl: string, urls: UrlPolicy): string {
  if (!html) return '';
  return sanitize(html, {
    allowedTags: [...ALLOWED_TAGS],
    allowedAttributes: Object.fromEntries(Object.entries(ALLOWED_ATTRIBUTES).map(([k, v]) => [k, [...v]])),
    allowedSchemes: ['http', 'https'],
    allowedSchemesByTag: { a: ['http', 'https', 'mailto'] },
    allowedSchemesAppliedToAttributes: [...URL_ATTRIBUTES],
    allowProtocolRelative: false,
    allowedIframeHostnames: [...IFRAME_HOSTS],
    allowIframeRelativeUrls: false,
    disallowedTagsMode: 'discard',
    selfClosing: [...SELF_CLOSING],
    nonTextTags: [...NON_TEXT_TAGS],
    parseStyleAttributes: false,
    exclusiveFilter: (frame) => dropsElement(frame.tag, frame.attribs),
    transformTags: {
      '*': (tagName, attribs) => {
        rewriteAttributes(tagName, attribs, baseUrl, urls);
        return { tagName, attribs };
      },
    },
  }).trim();
}

/** sanitize-html's text-only mode, its own escaping inverted (what htmlTextContent replaced). */
export function referenceTextContent(html: string): string {
  return sanitize(html, { allowedTags: [], allowedAttributes: {}, disallowedTagsMode: 'discard', nonTextTags: [...TEXT_NON_TEXT_TAGS] }).replace(
    /&(amp|lt|gt);/g,
    (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'),
  );
}

/** sanitize-html's list of attributes that are never boolean (an empty value is dropped). */
export const NON_BOOLEAN_ATTRIBUTES: readonly string[] = (sanitize.defaults as unknown as { nonBooleanAttributes: string[] }).nonBooleanAttributes;
