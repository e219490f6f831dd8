// Assets (photos, video, audio, documents) as every format reports them: the medium a MIME
// type implies, and the merge of several reports of one file into one asset.
import type { AssetInput } from '../../model/types.js';

/** The stated medium, else the one the MIME type's major type names (image, video, audio). */
export function mediumFor(mimeType: string | undefined, medium: string | undefined): string | undefined {
  if (medium?.trim()) return medium.trim().toLowerCase();
  const major = mimeType?.split('/')[0]?.toLowerCase();
  return major === 'image' || major === 'video' || major === 'audio' ? major : undefined;
}

export function isImage(a: AssetInput): boolean {
  return a.medium === 'image' || !!a.mimeType?.toLowerCase().startsWith('image/');
}

/**
 * One asset per URL: an RSS enclosure and a media:content for the same file are one photo
 * (size from the enclosure, dimensions and caption from Media RSS). Images come first,
 * otherwise document order is kept.
 */
export function mergeAssets(list: readonly AssetInput[]): AssetInput[] {
  const byUrl = new Map<string, AssetInput>();
  for (const a of list) {
    const prev = byUrl.get(a.url);
    if (!prev) {
      byUrl.set(a.url, { ...a });
      continue;
    }
    for (const [k, v] of Object.entries(a) as [keyof AssetInput, AssetInput[keyof AssetInput]][]) {
      if (v === undefined) continue;
      if (prev[k] === undefined || (k !== 'size' && k !== 'url')) (prev as unknown as Record<string, unknown>)[k] = v;
    }
  }
  const merged = [...byUrl.values()];
  return [...merged.filter(isImage), ...merged.filter((a) => !isImage(a))];
}
