// What a partner's outputs show of a page of articles (README "Rights policy"): editor's notes
// added, the partner's rights policy applied. Pure: the caller loads the notes and renders.
//   excludeAssetsMatching  assets whose rights, credit or caption contain a pattern
//                          (case-insensitive) are dropped, with the <figure>/<img> showing
//                          them in the body; the story still goes, and the delivery log
//                          records the omission
//   requireCredit          an item is held back when a photo it still carries has no credit,
//                          or, without photos, when it has no byline
//   creditLine             "Credit: …" (photo credits, else the byline) written before or
//                          after the body
import { escapeHtml } from '../html-escape.js';
import type { Article, AssetInput, DeliveredItem, HeldBackItem, RightsPolicy } from '../model/types.js';

export interface PartnerPage {
  items: Article[];
  /** Per delivered item, in order: id, seq and the assets left out. */
  delivered: DeliveredItem[];
  heldBack: HeldBackItem[];
}

function assetMatches(a: AssetInput, patterns: readonly string[]): boolean {
  const text = [a.rights, a.credit, a.caption].filter(Boolean).join('\n').toLowerCase();
  return patterns.some((p) => text.includes(p));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the figures and images that show `url` from sanitized HTML (our sanitizer writes
 * double-quoted attributes with `&` as `&amp;`). A figure goes whole, caption included: the
 * caption belongs to the photo and usually repeats its restrictions.
 */
export function removeImage(html: string, url: string): string {
  const forms = [...new Set([url, escapeHtml(url)])].map(escapeRegExp).join('|');
  const src = `\\s(?:src|srcset)="[^"]*(?:${forms})[^"]*"`;
  const figure = new RegExp(`<figure\\b[^>]*>(?:(?!</figure>)[\\s\\S])*?<(?:img|source)\\b[^>]*${src}[\\s\\S]*?</figure>\\s*`, 'gi');
  const picture = new RegExp(`<picture\\b[^>]*>(?:(?!</picture>)[\\s\\S])*?${src}[\\s\\S]*?</picture>`, 'gi');
  const img = new RegExp(`<img\\b[^>]*${src}[^>]*>`, 'gi');
  return html.replace(figure, '').replace(picture, '').replace(img, '');
}

function creditText(a: Article): string | undefined {
  const credits = [...new Set(a.assets.map((x) => x.credit?.trim()).filter((c): c is string => !!c))];
  if (credits.length) return credits.join('; ');
  const names = a.authors.map((x) => x.name.trim()).filter(Boolean);
  return names.length ? names.join(', ') : undefined;
}

function lacksCredit(a: Article): boolean {
  if (a.assets.length) return a.assets.some((x) => !x.credit?.trim());
  return !a.authors.some((x) => x.name.trim());
}

export function applyPartnerView(items: readonly Article[], policy: RightsPolicy | undefined, ednotes: ReadonlyMap<number, string>): PartnerPage {
  const patterns = (policy?.excludeAssetsMatching ?? []).map((p) => p.trim().toLowerCase()).filter(Boolean);
  const out: PartnerPage = { items: [], delivered: [], heldBack: [] };
  for (const original of items) {
    let a: Article = original;
    const ednote = ednotes.get(a.id);
    if (ednote !== undefined) a = { ...a, ednote };
    const omitted: string[] = [];
    if (patterns.length && a.assets.some((x) => assetMatches(x, patterns))) {
      const kept = a.assets.filter((x) => !assetMatches(x, patterns));
      let html = a.contentHtml;
      for (const x of a.assets) {
        if (kept.includes(x)) continue;
        omitted.push(x.url);
        if (html) html = removeImage(html, x.url);
      }
      a = { ...a, assets: kept, ...(html !== undefined ? { contentHtml: html } : {}) };
    }
    if (policy?.requireCredit && lacksCredit(a)) {
      out.heldBack.push({ id: a.id, seq: a.seq, reason: 'no_credit' });
      continue;
    }
    if (policy?.creditLine) {
      const credit = creditText(a);
      if (credit) {
        const line = `<p class="credit">Credit: ${escapeHtml(credit)}</p>`;
        const body = a.contentHtml ?? '';
        a = { ...a, contentHtml: policy.creditLine === 'prepend' ? `${line}\n${body}` : `${body}\n${line}` };
      }
    }
    out.items.push(a);
    out.delivered.push(omitted.length ? { id: a.id, seq: a.seq, omittedAssets: omitted } : { id: a.id, seq: a.seq });
  }
  return out;
}
