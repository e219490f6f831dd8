// The sources/channels file (WIREFEED_CONFIG): its reader. Environment variables are
// config.ts; this file describes data, applied by config-sync.ts, checked by the same schemas
// as the admin API (inputs.ts).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkInput, configFileSchema, type ConfigFile } from './inputs.js';

export type { ConfigFile, ConfigFileChannel, ConfigFileSource } from './inputs.js';

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
  const res = checkInput(configFileSchema, json);
  if (!res.ok) {
    const issue = res.issues[0];
    throw new ConfigError(`config: WIREFEED_CONFIG ${file} at ${issue.path || '(root)'}: ${issue.message}`);
  }
  return res.value;
}
