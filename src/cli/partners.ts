// `wirefeed partners …`: accounts and keys from the command line, through the same service as
// the admin API. A new key is printed once (stdout) and never again.
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { Partner, PartnerPatch, RateLimit, RightsPolicy } from '../model/types.js';
import type { PartnerService } from '../services/partners.js';
import { newPartnerSchema, parseInput, partnerPatchSchema } from '../services/inputs.js';
import { deliveriesCsv, parseInstant, type DeliveryLog } from '../services/deliveries.js';
import { table } from './format.js';

type Io = { out: (s: string) => void; err: (s: string) => void };

/** "600/60" = 600 requests per 60 seconds; "600/60,100000" adds items per day. */
export function parseRateLimit(v: string): RateLimit {
  const m = /^(\d{1,7})\/(\d{1,5})(?:,(\d{1,9}))?$/.exec(v.trim());
  if (!m) throw new ValidationError('invalid_rate_limit', `--rate-limit ${JSON.stringify(v)}: expected REQUESTS/SECONDS[,ITEMS_PER_DAY], e.g. 600/60`);
  return { requests: Number(m[1]), perSeconds: Number(m[2]), ...(m[3] ? { itemsPerDay: Number(m[3]) } : {}) };
}

function parsePolicy(v: string): RightsPolicy {
  try {
    return JSON.parse(v) as RightsPolicy;
  } catch {
    throw new ValidationError('invalid_rights_policy', '--rights-policy must be JSON, e.g. {"excludeAssetsMatching":["NO MARKETING"]}');
  }
}

function summary(p: Partner): string[] {
  const rl = p.rateLimit ? `${p.rateLimit.requests}/${p.rateLimit.perSeconds}s` : 'default';
  return [p.slug, p.active ? 'active' : 'inactive', p.channels.join(',') || '-', rl, p.name];
}

interface PartnerOpts {
  name?: string;
  contact?: string;
  channel?: string[];
  rateLimit?: RateLimit;
  rightsPolicy?: RightsPolicy;
  inactive?: boolean;
  active?: boolean;
  json?: boolean;
}

export function registerPartnerCommands(program: Command, partners: () => Promise<PartnerService>, deliveries: () => Promise<DeliveryLog | undefined>, io: Io): void {
  const json = (v: unknown) => io.out(JSON.stringify(v, null, 2) + '\n');
  const cmd = program.command('partners').description('manage partner accounts and their keys');
  const accountOptions = (c: Command) =>
    c
      .option('--contact <text>', 'who to call about this account')
      .option('-c, --channel <slug...>', 'channels the partner is entitled to')
      .addOption(new Option('--rate-limit <n/s>', 'requests per seconds, e.g. 600/60 (optionally ,ITEMS_PER_DAY)').argParser(parseRateLimit))
      .addOption(new Option('--rights-policy <json>', 'e.g. {"excludeAssetsMatching":["NO MARKETING"],"requireCredit":true,"creditLine":"prepend"}').argParser(parsePolicy))
      .option('--json', 'print the partner as JSON');

  accountOptions(cmd.command('add').description('add a partner account').argument('<slug>').requiredOption('--name <name>', 'display name'))
    .option('--inactive', 'create it inactive (its keys do not work until activated)')
    .action(async (slug: string, o: PartnerOpts) => {
      const input = parseInput(
        newPartnerSchema,
        { slug, name: o.name, contact: o.contact, channels: o.channel ?? [], rateLimit: o.rateLimit, rightsPolicy: o.rightsPolicy, active: !o.inactive },
        'partners add',
      );
      const p = await (await partners()).create(input);
      if (o.json) json(p);
      else io.out(`added partner ${p.slug}; create a key with: wirefeed partners keys create ${p.slug}\n`);
    });

  accountOptions(cmd.command('update').description('change a partner account').argument('<slug>').option('--name <name>'))
    .option('--active', 'activate the account')
    .option('--inactive', 'deactivate the account (its keys stop working at once)')
    .action(async (slug: string, o: PartnerOpts) => {
      const patch: PartnerPatch = {};
      if (o.name !== undefined) patch.name = o.name;
      if (o.contact !== undefined) patch.contact = o.contact;
      if (o.channel !== undefined) patch.channels = o.channel;
      if (o.rateLimit !== undefined) patch.rateLimit = o.rateLimit;
      if (o.rightsPolicy !== undefined) patch.rightsPolicy = o.rightsPolicy;
      if (o.active || o.inactive) patch.active = !!o.active;
      if (Object.keys(patch).length === 0) throw new ValidationError('nothing_to_change', 'partners update: give at least one option to change');
      // Options never clear a field (the API's null), so what passes the check is a PartnerPatch.
      const checked = parseInput(partnerPatchSchema, patch, 'partners update') as PartnerPatch;
      const p = await (await partners()).update(slug, checked);
      if (o.json) json(p);
      else io.out(`updated partner ${p.slug}\n`);
    });

  cmd
    .command('list')
    .description('list partner accounts')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await partners()).list();
      if (o.json) json(list);
      else io.out(table([['SLUG', 'STATE', 'CHANNELS', 'RATE', 'NAME'], ...list.map(summary)]));
    });

  cmd
    .command('show')
    .description('one partner account with its keys (never the secrets)')
    .argument('<slug>')
    .action(async (slug: string) => {
      const svc = await partners();
      const partner = await svc.get(slug);
      const log = await deliveries();
      json({ partner, keys: await svc.listKeys(slug), ...(log ? { delivery: await log.cursor(partner) } : {}) });
    });

  cmd
    .command('deliveries')
    .description('export the delivery log of a partner: which stories, which versions, when (CSV: one row per item)')
    .argument('<slug>')
    .option('--from <date>', 'from this RFC 3339 date or time (inclusive)')
    .option('--to <date>', 'up to this date or time (exclusive)')
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (slug: string, o: { from?: string; to?: string; format: 'csv' | 'json'; output?: string }) => {
      const log = await deliveries();
      if (!log) throw new ValidationError('delivery_log_off', 'the delivery log is turned off (WIREFEED_DELIVERY_LOG=0)');
      const partner = await (await partners()).get(slug);
      const list = await log.list(partner, { from: parseInstant(o.from, '--from'), to: parseInstant(o.to, '--to') });
      const text = o.format === 'csv' ? deliveriesCsv(list) : JSON.stringify({ deliveries: list, cursor: await log.cursor(partner) }, null, 2) + '\n';
      if (o.output) writeFileSync(o.output, text);
      else io.out(text);
    });

  cmd
    .command('remove')
    .description('remove a partner account with its keys')
    .argument('<slug>')
    .action(async (slug: string) => {
      await (await partners()).remove(slug);
      io.out(`removed partner ${slug}\n`);
    });

  const keys = cmd.command('keys').description("manage a partner's keys");
  keys
    .command('create')
    .description('create a key: it is printed once, only its hash is stored')
    .argument('<partner>')
    .option('--json', 'print {key, keyId, prefix} as JSON')
    .action(async (slug: string, o: { json?: boolean }) => {
      const k = await (await partners()).createKey(slug);
      if (o.json) json({ key: k.key, keyId: k.keyId, prefix: k.prefix });
      else {
        io.out(`${k.key}\n`);
        io.err(`key ${k.keyId} created for ${slug}: store it now, it cannot be shown again\n`);
      }
    });
  keys
    .command('list')
    .description("list a partner's keys (id, prefix, created, last used, revoked)")
    .argument('<partner>')
    .option('--json', 'print JSON')
    .action(async (slug: string, o: { json?: boolean }) => {
      const list = await (await partners()).listKeys(slug);
      if (o.json) json(list);
      else io.out(table([['KEY ID', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'], ...list.map((k) => [k.keyId, `${k.prefix}…`, k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ?? '-'])]));
    });
  keys
    .command('revoke')
    .description('revoke a key (takes effect at once, also in a running server)')
    .argument('<partner>')
    .argument('<key-id>')
    .action(async (slug: string, keyId: string) => {
      await (await partners()).revokeKey(slug, keyId);
      io.out(`revoked ${keyId}\n`);
    });
}
