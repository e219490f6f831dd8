// Contracts of the ingest half (DESIGN.md §1 steps 3–6). Pure or I/O-at-the-edge; never storage.
import type { IsoDate, LintIssue, NormalizedFeed, RawItemRef } from '../model/types.js';

export interface FetchRequest {
  url: string;
  etag?: string;
  lastModified?: string;
}

export interface RedirectHop {
  from: string;
  to: string;
  status: number;
}

interface FetchCommon {
  /** URL of the last hop. */
  finalUrl: string;
  /** Set when every redirect hop was 301/308: the URL the source should move to. */
  permanentUrl?: string;
  redirects: RedirectHop[];
  status: number;
  ms: number;
  /** From Cache-Control max-age / Expires, seconds from now; used by the scheduler. */
  freshForS?: number;
}

export type FetchResult =
  | (FetchCommon & {
      kind: 'modified';
      /** Decompressed body, at most maxBytes. */
      body: Buffer;
      /**
       * Gives the body's bytes back to the fetcher's budget (ingest/byte-budget.ts). Whoever
       * receives the result calls it once the body is done with (processed and stored, or not
       * wanted); until then other fetches may wait to read. Absent when no budget applies.
       */
      release?: () => void;
      contentType?: string;
      /** The HTTP Link header (WebSub §4 discovery reads rel="hub"/rel="self" from it first). */
      link?: string;
      etag?: string;
      lastModified?: string;
    })
  | (FetchCommon & { kind: 'not-modified'; etag?: string; lastModified?: string })
  | (FetchCommon & { kind: 'gone' })
  | (FetchCommon & { kind: 'retry-later'; until: IsoDate });

/** Fetches one feed URL. Throws FetchError for every failure that is not a FetchResult. */
export type FetchFeed = (req: FetchRequest, signal?: AbortSignal) => Promise<FetchResult>;

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  allowPrivateNetworks: boolean;
  /** host or host:port entries exempt from the private-address guard. */
  privateNetworkAllowlist: string[];
  maxRedirects?: number;
  /** Clock for Retry-After, injectable for tests. */
  now?: () => Date;
}

export interface ProcessOptions {
  /** The URL the document was fetched from (final URL after redirects): base for relative links. */
  documentUrl: string;
  /** HTTP Content-Type header, for the charset and "not a feed" detection. */
  contentType?: string;
  /** Fetch time: fallback date for undated items and the future-date clamp reference. */
  now: IsoDate;
  /** Source defaults applied to assets that carry no credit / rights of their own. */
  defaultCredit?: string;
  defaultRights?: string;
  /**
   * Set on a re-fetch: the source's articles with the raw-item hashes they were made from and
   * the source's last lint. Items whose hash is known are left out of parsing and normalizing
   * (reported in `unchanged`); the others come back with their `rawHash`.
   */
  known?: { items: RawItemRef[]; lint: LintIssue[] };
}

/** decode → parse → normalize: bytes in, normalized feed + lint out. */
export type ProcessFeed = (bytes: Buffer, opts: ProcessOptions) => Promise<NormalizedFeed>;

export interface DecodedText {
  text: string;
  /** The encoding actually used, e.g. 'utf-8', 'windows-1252'. */
  encoding: string;
  lint: LintIssue[];
}

/** A feed link found on an HTML page (`<link rel="alternate">`). */
export interface DiscoveredFeed {
  url: string;
  type: string;
  title?: string;
}
