// The sources/channels file (WIREFEED_CONFIG): its schema and reader. Environment variables are
// config.ts; this file describes data, applied by config-sync.ts, and shares the channel filter
// rule with the admin API and the CLI.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { channelFilterSchema } from './channel-filter.js';


const sourceEntry = z
  .object({
    url: z.string().min(1),
    slug: z.string().optional(),
    title: z.string().optional(),
    categories: z.array(z.string()).optional(),
    minIntervalS: z.number().int().positive().optional(),
    maxIntervalS: z.number().int().positive().optional(),
    defaultCredit: z.string().optional(),
    defaultRights: z.string().optional(),
  })
  .strict();

const channelEntry = z
  .object({
    slug: z.string().min(1),
    title: z.string().min(1),
    description: z.string().optional(),
    /** Sources by slug (or id), resolved at start-up: the same rule as the API's filter.sourceIds. */
    sources: channelFilterSchema.shape.sourceIds,
    categories: channelFilterSchema.shape.categories,
    query: channelFilterSchema.shape.query,
    defaultLimit: z.number().int().min(1).max(500).optional(),
  })
  .strict();

const configFileSchema = z
  .object({
    sources: z.array(sourceEntry).default([]),
    channels: z.array(channelEntry).default([]),
  })
  .strict();

export type ConfigFile = z.output<typeof configFileSchema>;
export type ConfigFileSource = z.output<typeof sourceEntry>;
export type ConfigFileChannel = z.output<typeof channelEntry>;

export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`config: WIREFEED_CONFIG=${JSON.stringify(file)} cannot be read (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  return parseConfigFile(text, file);
}

export function parseConfigFile(text: string, file = 'config'): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config: WIREFEED_CONFIG ${file} is not valid JSON (${(cause as Error).message})`, { cause });
  }
  const res = configFileSchema.safeParse(json);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    throw new ConfigError(`config: WIREFEED_CONFIG ${file} at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return res.data;
}
