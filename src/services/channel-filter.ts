// The one rule for a channel's filter, used by the admin API, the sources/channels file and the
// CLI alike: sources named by id or slug, non-empty categories, and a query that passes the same
// check as a reader's `q` (a channel saved with an unusable query would answer every request 400).
import { z } from 'zod';
import type { ChannelFilter } from '../model/types.js';
import { searchTextProblem } from '../storage/fts-query.js';
import { SLUG_RE, SLUG_RULE } from './slug.js';

/** A source named by its id (a number) or its slug (a string). */
export const sourceRefSchema = z.union([z.number().int().positive(), z.string().regex(SLUG_RE, `a source slug ${SLUG_RULE}`)]);
export type SourceRef = z.output<typeof sourceRefSchema>;

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
