// The home of every data input's schema: a source, a channel, a partner, an article action, and
// the sources/channels file (WIREFEED_CONFIG). The admin API, the config file and the CLI check
// the same shapes with the same limits (parseInput), so what the API refuses cannot come in
// through the file or the command line, and the API and the CLI refuse it in the same words.
// The environment's own schema is config.ts's.
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { ChannelFilter } from '../model/types.js';
import { searchTextProblem } from '../storage/search-terms.js';
import { SLUG_RE, SLUG_RULE } from './slug.js';

/** A schema of this module, for callers that validate with it (parseBody, the config reader). */
export type InputSchema = z.ZodType;
export type InputOf<S extends InputSchema> = z.output<S>;

export interface InputIssue {
  path: string;
  message: string;
}

/** Checks `value` against `schema`: the parsed value, or every issue (the first is the headline). */
export function checkInput<S extends InputSchema>(schema: S, value: unknown): { ok: true; value: z.output<S> } | { ok: false; issues: [InputIssue, ...InputIssue[]] } {
  const res = schema.safeParse(value);
  if (res.success) return { ok: true, value: res.data };
  const issues = res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  return { ok: false, issues: issues as [InputIssue, ...InputIssue[]] };
}

/**
 * Checks `value` against `schema`, or throws the refusal every edge words alike: a 422
 * ValidationError `<where>: <field>: <problem>` (the first issue; all of them as details).
 * `where` is "request" for the admin API, the command for the CLI; `field` names `value`
 * when it is one field of a larger input (a service checking a partner's rateLimit).
 */
export function parseInput<S extends InputSchema>(schema: S, value: unknown, where: string, field?: string): z.output<S> {
  const res = checkInput(schema, value);
  if (res.ok) return res.value;
  const issue = res.issues[0];
  const at = [field, issue.path].filter(Boolean).join('.') || 'body';
  throw new ValidationError('invalid_body', `${where}: ${at}: ${issue.message}`, 422, res.issues);
}

export const slugSchema = z.string().regex(SLUG_RE, SLUG_RULE);
export const visibilitySchema = z.enum(['public', 'partners']);
const visibility = visibilitySchema;

// ---- channel filters ----

/** A source named by its id (a number) or its slug (a string). */
export const sourceRefSchema = z.union([z.number().int().positive(), z.string().regex(SLUG_RE, `a source slug ${SLUG_RULE}`)]);
export type SourceRef = z.output<typeof sourceRefSchema>;

/** A channel's query passes the same check as a reader's `q` (a saved unusable query would answer every request 400). */
export const channelQuerySchema = z
  .string()
  .trim()
  .max(500)
  .superRefine((q, ctx) => {
    const problem = searchTextProblem(q);
    if (problem) ctx.addIssue({ code: 'custom', message: `query ${problem}` });
  });

export const channelFilterSchema = z
  .object({
    sourceIds: z.array(sourceRefSchema).max(1000).optional(),
    categories: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    query: channelQuerySchema.optional(),
  })
  .strict();

/** A filter as written by a person or a client: sources by id or slug. */
export type ChannelFilterInput = Omit<ChannelFilter, 'sourceIds'> & { sourceIds?: SourceRef[] };

// ---- sources ----

const interval = z.number().int().min(1).max(30 * 86_400);
const categories = z.array(z.string().trim().min(1).max(100)).max(50);
const text = (max: number) => z.string().max(max);

const sourceFields = {
  url: z.string().min(1).max(2048),
  slug: slugSchema.optional(),
  title: text(300).optional(),
  categories: categories.optional(),
  minIntervalS: interval.optional(),
  maxIntervalS: interval.optional(),
  defaultCredit: text(300).optional(),
  defaultRights: text(500).optional(),
};

const minNotAboveMax: [(v: { minIntervalS?: number; maxIntervalS?: number }) => boolean, { message: string; path: string[] }] = [
  (v) => v.minIntervalS === undefined || v.maxIntervalS === undefined || v.minIntervalS <= v.maxIntervalS,
  { message: 'minIntervalS must not exceed maxIntervalS', path: ['minIntervalS'] },
];

/** POST /api/sources. */
export const newSourceSchema = z
  .object({ ...sourceFields, visibility: visibility.optional() })
  .strict()
  .refine(...minNotAboveMax);

export const sourcePatchSchema = z
  .object({
    url: z.string().min(1).max(2048),
    slug: slugSchema,
    title: text(300),
    siteUrl: z.string().max(2048),
    description: text(2000),
    language: text(35),
    categories,
    minIntervalS: interval,
    maxIntervalS: interval,
    status: z.enum(['active', 'paused', 'gone']),
    statusReason: text(500),
    defaultCredit: text(300),
    defaultRights: text(500),
    visibility,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

// ---- channels ----

export const channelLimitSchema = z.number().int().min(1).max(500);

const channelFields = {
  title: z.string().trim().min(1).max(300),
  description: z.string().max(2000),
  filter: channelFilterSchema,
  defaultLimit: channelLimitSchema,
  visibility,
};

export const newChannelSchema = z
  .object({
    slug: slugSchema,
    title: channelFields.title,
    description: channelFields.description.optional(),
    filter: channelFields.filter.optional(),
    defaultLimit: channelFields.defaultLimit.optional(),
    visibility: channelFields.visibility.optional(),
  })
  .strict();

export const channelPatchSchema = z
  .object(channelFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

// ---- the sources/channels file ----

/** A source entry: the API's new source without visibility (the file does not set it). */
const configSourceSchema = z.object(sourceFields).strict().refine(...minNotAboveMax);

/** A channel entry: the API's new channel, its filter written flat (sources by slug or id). */
const configChannelSchema = z
  .object({
    slug: slugSchema,
    title: channelFields.title,
    description: channelFields.description.optional(),
    sources: channelFilterSchema.shape.sourceIds,
    categories: channelFilterSchema.shape.categories,
    query: channelFilterSchema.shape.query,
    defaultLimit: channelFields.defaultLimit.optional(),
  })
  .strict();

export const configFileSchema = z
  .object({
    sources: z.array(configSourceSchema).default([]),
    channels: z.array(configChannelSchema).default([]),
  })
  .strict();

export type ConfigFile = z.output<typeof configFileSchema>;
export type ConfigFileSource = z.output<typeof configSourceSchema>;
export type ConfigFileChannel = z.output<typeof configChannelSchema>;

// ---- partners ----

export const rateLimitSchema = z
  .object({
    requests: z.number().int().min(1).max(1_000_000),
    perSeconds: z.number().int().min(1).max(86_400),
    itemsPerDay: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();
export const rightsPolicySchema = z
  .object({
    excludeAssetsMatching: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    requireCredit: z.boolean().optional(),
    creditLine: z.enum(['prepend', 'append']).optional(),
  })
  .strict();

const partnerFields = {
  name: z.string().trim().min(1).max(200),
  contact: z.string().trim().max(300),
  channels: z.array(slugSchema).max(1000),
  active: z.boolean(),
};

export const newPartnerSchema = z
  .object({
    slug: slugSchema,
    name: partnerFields.name,
    contact: partnerFields.contact.optional(),
    channels: partnerFields.channels.default([]),
    rateLimit: rateLimitSchema.optional(),
    rightsPolicy: rightsPolicySchema.optional(),
    active: partnerFields.active.optional(),
  })
  .strict();

/** null clears rateLimit (back to the default), rightsPolicy and contact. */
export const partnerPatchSchema = z
  .object({
    name: partnerFields.name,
    contact: partnerFields.contact.nullable(),
    channels: partnerFields.channels,
    rateLimit: rateLimitSchema.nullable(),
    rightsPolicy: rightsPolicySchema.nullable(),
    active: partnerFields.active,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });

// ---- article lifecycle actions ----

const reason = z.string().max(2000).optional();
const articleText = z.string().max(1_000_000).optional();

/** The body of each lifecycle action (services/lifecycle.ts). */
export const articleActionSchemas = {
  kill: z.strictObject({ reason }),
  withhold: z.strictObject({ reason }),
  release: z.strictObject({ reason }),
  embargo: z.strictObject({ reason, until: z.iso.datetime({ offset: true }) }),
  correct: z.strictObject({
    reason,
    title: z.string().trim().min(1).max(2000).optional(),
    summary: articleText,
    contentHtml: articleText,
    rights: z.string().max(2000).optional(),
    assets: z
      .array(z.strictObject({ caption: z.string().max(5000).optional(), credit: z.string().max(500).optional(), rights: z.string().max(2000).optional() }).nullable())
      .max(100)
      .optional(),
  }),
};

export type ArticleActionName = keyof typeof articleActionSchemas;

/**
 * A lifecycle action's body, checked (parseInput), as the service takes it: the correction's
 * fields apart from the notice. An action without a body (kill, withhold, release) is one
 * without a reason.
 */
export function parseArticleAction(action: ArticleActionName, body: unknown, where: string): { reason?: string; until?: string; correction?: Omit<z.output<(typeof articleActionSchemas)['correct']>, 'reason'> } {
  if (action === 'correct') {
    const { reason, ...correction } = parseInput(articleActionSchemas.correct, body, where);
    return { reason, correction };
  }
  const parsed: { reason?: string; until?: string } = parseInput(articleActionSchemas[action], body, where);
  return { reason: parsed.reason, until: parsed.until };
}
