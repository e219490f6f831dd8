// URL fields of one document: the URL policy (../urls.ts) applied under a chain of bases
// (document URL, then xml:base on the root, channel and item), with the count of values it
// refused. A context is created per document, never shared between documents.
import { createUrlPolicy, type UrlPolicy, type UrlPurpose, type UrlVerdict } from '../urls.js';

/** What one document's URL fields share: the policy and the count of values it refused. */
export interface UrlEnv {
  policy: UrlPolicy;
  refused: { unsafe_url: number; bad_url: number };
}

/**
 * Resolves URL fields against a base by the URL policy, counts what it drops, and remembers
 * when only the document URL could help.
 */
export class UrlContext {
  neededDocumentUrl = false;
  constructor(
    readonly base: string,
    private readonly hasXmlBase: boolean,
    private readonly env: UrlEnv,
  ) {}

  /** The context under an element's xml:base; a base the policy refuses is ignored (and counted). */
  child(xmlBase: string | undefined): UrlContext {
    const verdict = this.env.policy.check(xmlBase, this.base);
    if (verdict?.ok) return new UrlContext(verdict.url, true, this.env);
    if (verdict !== undefined) this.refuse(verdict);
    return new UrlContext(this.base, this.hasXmlBase, this.env);
  }

  resolve(value: string | undefined, purpose: UrlPurpose = 'link'): string | undefined {
    const v = value?.trim();
    if (!v) return undefined;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(v) && !this.hasXmlBase) this.neededDocumentUrl = true;
    return this.accept(this.env.policy.check(v, this.base, purpose));
  }

  /** A category scheme/domain (an identifier, never resolved against the base). */
  identifier(value: string | undefined): string | undefined {
    return this.accept(this.env.policy.identifier(value));
  }

  private accept(verdict: UrlVerdict | undefined): string | undefined {
    if (verdict === undefined) return undefined;
    if (verdict.ok) return verdict.url;
    this.refuse(verdict);
    return undefined;
  }

  private refuse(verdict: Extract<UrlVerdict, { ok: false }>): void {
    this.env.refused[verdict.reason]++;
  }
}

/** The root context of a document fetched from `documentUrl`, and the env its children share. */
export function documentUrlContext(documentUrl: string): { urls: UrlContext; env: UrlEnv } {
  const env: UrlEnv = { policy: createUrlPolicy(), refused: { unsafe_url: 0, bad_url: 0 } };
  return { urls: new UrlContext(documentUrl, false, env), env };
}
