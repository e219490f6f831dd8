#!/usr/bin/env node
// The `wirefeed` command (DESIGN.md §4): the same services as the server, against the same
// database (WAL lets it run beside a live server). Exit codes: 0 ok, 1 failure, 2 bad usage,
// input or configuration.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, withEnvFile, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { ConfigError, errorMessage, NotFoundError, ParseError, ValidationError } from '../errors.js';
import { createCore, type Core } from '../compose.js';
import { createAppScheduler, listenMetrics, main as serve, seedBundledDemo } from '../main.js';
import { exportOpml, importOpml } from '../services/opml.js';
import { registerPartnerCommands } from './partners.js';
import { registerArticleCommands } from './articles.js';
import { registerDbCommands } from './db.js';
import { VERSION } from '../paths.js';
import { newChannelSchema, newSourceSchema, parseInput, sourcePatchSchema } from '../services/inputs.js';
import type { RefreshOutcome } from '../services/types.js';
import { backupTo, restoreFrom } from '../services/backup.js';
import { createProgress, type ProgressStream } from './progress.js';
import { fetchLogTable, outcomePrinter, sourceDetails, sourcesTable, table } from './format.js';

/** Results go to `out` (stdout), logs and diagnostics to `err` (stderr). */
type Out = {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Where progress goes (stderr); shown only when it is a terminal. */
  progress?: ProgressStream;
};

const intArg = (name: string) => (v: string) => {
  if (!/^\d{1,9}$/.test(v)) throw new ValidationError('invalid_argument', `${name} must be a whole number`);
  return Number(v);
};

/** Exit code for an error: 2 for what the user can fix in the command line or config. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ValidationError || err instanceof NotFoundError || err instanceof ConfigError || err instanceof ParseError) return 2;
  if ((err as { code?: string }).code === 'schema_too_new') return 2;
  return 1;
}

export function buildCli(env: NodeJS.ProcessEnv, io: Out): Command {
  let config: Config | undefined;
  // Logs always go to stderr: stdout carries only results, so output can be piped. Without an
  // explicit LOG_LEVEL a command logs warnings and errors only.
  let core: Promise<Core> | undefined;
  const getCore = (): Promise<Core> => {
    config ??= loadConfig(env);
    core ??= createCore(config, createLogger(env.LOG_LEVEL ? config.logLevel : 'warn', 2));
    return core;
  };
  const done = async () => {
    const opened = core;
    core = undefined;
    // A core that failed to open has nothing to close.
    await opened?.then((c) => c.close(), () => undefined);
  };
  const json = (v: unknown) => io.out(JSON.stringify(v, null, 2) + '\n');
  const progress = (label: string, unit?: string) => createProgress(label, io.progress ?? { write: () => true }, { unit });

  const program = new Command('wirefeed')
    .description('Feed syndication service: ingest RSS/Atom/JSON Feed sources, publish RSS 2.0, Atom 1.0 and JSON Feed 1.1.')
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .hook('postAction', done);

  program
    .command('serve')
    .description('run the HTTP server and the scheduler (same as npm start); configured by environment variables')
    .action(async () => {
      await serve(env);
      // Keep running: main installed signal handlers and owns shutdown.
      await new Promise(() => {});
    });

  program
    .command('scheduler')
    .description('run only the scheduler (no HTTP server): pair it with a server started with WIREFEED_SCHEDULER=0, e.g. under `nice` so serving keeps the CPU')
    .action(async () => {
      config ??= loadConfig(env);
      const c = await getCore();
      const log = createLogger(config.logLevel, 2).child({ instance: c.instanceId });
      // Started first on a fresh data directory, it registers the demo itself: any entry point works.
      if (config.demo) await seedBundledDemo(c, log);
      const scheduler = createAppScheduler(config, c, log);
      scheduler.start();
      const metrics = await listenMetrics(config, c, log);
      log.info({ schedule: config.schedule }, 'scheduler running');
      await new Promise<void>((resolve) => {
        const onSignal = () => resolve();
        process.once('SIGTERM', onSignal);
        process.once('SIGINT', onSignal);
      });
      await scheduler.stop();
      metrics?.server.close();
      log.info({}, 'scheduler stopped');
    });

  program
    .command('fetch')
    .description('fetch sources now and store their articles (all active sources, or one); prints each source as it finishes')
    .option('-s, --source <slug-or-id>', 'fetch only this source, whatever its schedule or status')
    .option('--due', 'fetch only sources that are due, as the scheduler would')
    .option('--json', 'print the outcomes as JSON when all are done')
    .action(async (opts: { source?: string; due?: boolean; json?: boolean }) => {
      const c = await getCore();
      const list = opts.source ? [await c.sources.get(opts.source)] : opts.due ? undefined : (await c.sources.list()).filter((s) => s.status === 'active');
      const printer = outcomePrinter(io.out, list ? Math.max(0, ...list.map((s) => s.slug.length)) : undefined);
      if (!opts.json) printer.header();
      const bar = progress('fetch');
      if (list) bar.update(0, list.length);
      let n = 0;
      const onOutcome = (o: RefreshOutcome) => {
        if (!opts.json) {
          bar.end(); // the line goes above the progress line, which is drawn again after it
          printer.outcome(o);
        }
        bar.update(++n, list?.length);
      };
      let outcomes: RefreshOutcome[];
      if (opts.source) {
        outcomes = [await c.refresh.refreshSource(list![0]!)];
        onOutcome(outcomes[0]!);
      } else if (list) outcomes = await c.refresh.refreshMany(list, undefined, undefined, onOutcome);
      else outcomes = await c.refresh.refreshDue(undefined, undefined, onOutcome);
      bar.end();
      if (opts.json) json(outcomes);
      else printer.summary(outcomes);
      if (outcomes.some((o) => o.outcome === 'error')) process.exitCode = 1;
    });

  const sources = program.command('sources').description('manage sources');
  sources
    .command('add')
    .description('add a source by feed URL (a web page URL is resolved to its feed)')
    .argument('<url>', 'feed or web page URL (http/https)')
    .option('--slug <slug>', 'URL name of the source (default: from title or host)')
    .option('--title <title>', 'display title (default: the feed title)')
    .option('-c, --category <name...>', 'categories of the source')
    .option('--credit <text>', 'default photo credit for assets without one')
    .option('--rights <text>', 'default usage rights for assets without any')
    .option('--json', 'print the source as JSON')
    .action(async (url: string, o: { slug?: string; title?: string; category?: string[]; credit?: string; rights?: string; json?: boolean }) => {
      const input = parseInput(newSourceSchema, { url, slug: o.slug, title: o.title, categories: o.category, defaultCredit: o.credit, defaultRights: o.rights }, 'sources add');
      const s = await (await getCore()).sources.add(input);
      if (o.json) json(s);
      else io.out(`added source ${s.id} (${s.slug}) ${s.url}\n`);
    });
  sources
    .command('list')
    .description('list sources with their health (new = never fetched yet)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await getCore()).sources.list();
      if (o.json) json(list);
      else io.out(sourcesTable(list));
    });
  sources
    .command('show')
    .description('show one source: health, schedule, last error, lint findings, channels using it')
    .argument('<slug-or-id>')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const c = await getCore();
      const s = await c.sources.get(ref);
      if (o.json) json(s);
      else io.out(sourceDetails(s, await c.channels.list()));
    });
  sources
    .command('log')
    .alias('fetches')
    .description("show a source's fetch log, newest first (time, outcome, HTTP status, bytes, items, error)")
    .argument('<slug-or-id>')
    .addOption(new Option('-n, --limit <n>', 'entries (1–500)').default(20).argParser(intArg('--limit')))
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { limit: number; json?: boolean }) => {
      const c = await getCore();
      const s = await c.sources.get(ref);
      const entries = await c.sources.fetchLog(s.id, o.limit);
      if (o.json) json(entries);
      else io.out(entries.length ? fetchLogTable(entries) : `no fetches of ${s.slug} yet\n`);
    });
  sources
    .command('edit')
    .description('change a source (only the options given)')
    .argument('<slug-or-id>')
    .option('--url <url>', 'new feed URL')
    .option('--slug <slug>', 'new URL name (changes its feed URLs)')
    .option('--title <title>', 'display title')
    .option('-c, --category <name...>', 'replace its categories')
    .addOption(new Option('--min-interval <s>', 'shortest fetch interval, seconds').argParser(intArg('--min-interval')))
    .addOption(new Option('--max-interval <s>', 'longest fetch interval, seconds').argParser(intArg('--max-interval')))
    .option('--credit <text>', 'default photo credit')
    .option('--rights <text>', 'default usage rights')
    .option('--json', 'print the source as JSON')
    .action(async (ref: string, o: { url?: string; slug?: string; title?: string; category?: string[]; minInterval?: number; maxInterval?: number; credit?: string; rights?: string; json?: boolean }) => {
      const c = await getCore();
      const s = await c.sources.get(ref);
      const options = {
        ...(o.url !== undefined ? { url: o.url } : {}),
        ...(o.slug !== undefined ? { slug: o.slug } : {}),
        ...(o.title !== undefined ? { title: o.title } : {}),
        ...(o.category !== undefined ? { categories: o.category } : {}),
        ...(o.minInterval !== undefined ? { minIntervalS: o.minInterval } : {}),
        ...(o.maxInterval !== undefined ? { maxIntervalS: o.maxInterval } : {}),
        ...(o.credit !== undefined ? { defaultCredit: o.credit } : {}),
        ...(o.rights !== undefined ? { defaultRights: o.rights } : {}),
      };
      if (!Object.keys(options).length) throw new ValidationError('nothing_to_change', 'sources edit: give at least one option to change (see --help)');
      const patch = parseInput(sourcePatchSchema, options, 'sources edit');
      const updated = await c.sources.update(s.id, patch);
      if (o.json) json(updated);
      else io.out(`updated source ${updated.id} (${updated.slug})\n`);
    });
  for (const [name, status, verb] of [
    ['pause', 'paused', 'paused'],
    ['resume', 'active', 'resumed'],
  ] as const) {
    sources
      .command(name)
      .description(name === 'pause' ? 'stop fetching a source (its articles stay published)' : 'fetch a paused or gone source again, on the next tick; clears its error streak')
      .argument('<slug-or-id>')
      .action(async (ref: string) => {
        const c = await getCore();
        const s = await c.sources.update((await c.sources.get(ref)).id, { status });
        io.out(`${verb} source ${s.id} (${s.slug})\n`);
      });
  }
  sources
    .command('remove')
    .description('remove a source with its articles and fetch log; refused while channels use it, unless --detach')
    .argument('<slug-or-id>')
    .option('--detach', "take it out of the channels that list it (refused if it is a channel's only source)")
    .action(async (ref: string, o: { detach?: boolean }) => {
      const c = await getCore();
      const s = await c.sources.get(ref);
      const { detachedFrom } = await c.sources.remove(s.id, { detach: o.detach });
      io.out(`removed source ${s.id} (${s.slug})\n`);
      if (detachedFrom.length) io.err(`warning: ${s.slug} was taken out of channel${detachedFrom.length > 1 ? 's' : ''} ${detachedFrom.join(', ')}\n`);
    });

  const channels = program.command('channels').description('manage channels (filtered feeds)');
  channels
    .command('add')
    .description('add a channel, published at /feeds/<slug>.rss|.atom|.json')
    .argument('<slug>')
    .requiredOption('--title <title>', 'channel title (required)')
    .option('--description <text>')
    .option('-s, --source <slug-or-id...>', 'only these sources')
    .option('-c, --category <name...>', 'only articles in any of these categories')
    .option('-q, --query <text>', 'only articles matching this full-text query')
    .addOption(new Option('--limit <n>', 'default number of items (1–500)').argParser(intArg('--limit')))
    .action(async (slug: string, o: { title: string; description?: string; source?: string[]; category?: string[]; query?: string; limit?: number }) => {
      const input = parseInput(
        newChannelSchema,
        { slug, title: o.title, description: o.description, filter: { sourceIds: o.source, categories: o.category, query: o.query }, defaultLimit: o.limit },
        'channels add',
      );
      const ch = await (await getCore()).channels.create(input);
      io.out(`added channel ${ch.slug}: /feeds/${ch.slug}.rss\n`);
    });
  channels
    .command('list')
    .description('list channels')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await (await getCore()).channels.list();
      if (o.json) json(list);
      else io.out(table([['SLUG', 'TITLE', 'FILTER'], ...list.map((c) => [c.slug, c.title, JSON.stringify(c.filter)])]));
    });
  channels
    .command('remove')
    .description('remove a channel (articles stay)')
    .argument('<slug>')
    .action(async (slug: string) => {
      await (await getCore()).channels.remove(slug);
      io.out(`removed channel ${slug}\n`);
    });

  const opml = program.command('opml').description('import or export the source list as OPML');
  opml
    .command('import')
    .description('add every feed of an OPML file (folders become categories)')
    .argument('<file>')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ValidationError('file_unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
      }
      const bar = progress('opml import');
      const res = await importOpml(text, (await getCore()).sources, (done, total) => bar.update(done, total));
      bar.end();
      io.out(`imported ${res.added.length} sources, skipped ${res.skipped.length}\n`);
      for (const s of res.skipped) io.err(`skipped ${s.url}: ${s.reason}\n`);
      // An entry that could not be imported is a failure the caller (a script, CI) must see; one
      // that is there already is not (importing the same file twice is fine).
      if (res.skipped.some((s) => !s.duplicate)) process.exitCode = 1;
    });
  opml
    .command('export')
    .description('print the source list as OPML 2.0')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (o: { output?: string }) => {
      const text = exportOpml(await (await getCore()).sources.list());
      if (o.output) writeFileSync(o.output, text);
      else io.out(text);
    });

  registerPartnerCommands(program, async () => (await getCore()).partners, async () => (await getCore()).deliveries, io);
  registerArticleCommands(program, getCore, io);
  registerDbCommands(program, io);

  program
    .command('backup')
    .description('write a consistent copy of the database to FILE while the server keeps serving and ingesting (SQLite online backup)')
    .argument('<file>', 'the backup file to write (replaced if it exists)')
    .action(async (file: string) => {
      const c = await getCore();
      const bar = progress('backup', ' pages');
      const t0 = Date.now();
      const res = await backupTo(c.storage, file, (done, total) => bar.update(done, total));
      bar.end();
      io.out(`backed up to ${file}: ${res.articles} articles, seq ${res.maxSeq} (${Date.now() - t0} ms)\n`);
    });

  program
    .command('restore')
    .description('replace the database with FILE (a backup); refuses while a server or another command has the database open; keeps the old file aside')
    .argument('<file>', 'a file written by `wirefeed backup`')
    .action(async (file: string) => {
      config ??= loadConfig(env);
      const res = restoreFrom(config, file, new Date());
      io.out(`restored ${file}: ${res.articles} articles, seq ${res.maxSeq}${res.keptAs ? `; the previous database is kept as ${res.keptAs}` : ''}\n`);
    });

  return program;
}

export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Out = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), progress: process.stderr },
): Promise<number> {
  // Commands report failure through process.exitCode; a previous in-process run must not leak in.
  process.exitCode = undefined;
  try {
    // The same `.env` the server reads, under the real environment.
    const program = buildCli(withEnvFile(env), io);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.err(`wirefeed: ${errorMessage(err)}\n`);
    return exitCodeFor(err);
  }
}

function isEntryPoint(): boolean {
  try {
    // npx/npm run the bin through a symlink in node_modules/.bin.
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const args = process.argv.slice(2);
  runCli(args).then((code) => {
    if (args[0] !== 'serve') process.exit(code);
  });
}
