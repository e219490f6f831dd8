// `wirefeed articles kill|withhold|release|embargo|correct|revisions ID`: the lifecycle actions
// of the admin API from the command line, through the same service and database.
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { Core } from '../compose.js';
import type { Article } from '../model/types.js';
import { parseArticleAction } from '../services/inputs.js';
import type { LifecycleAction } from '../services/lifecycle.js';

type Out = { out: (s: string) => void };

function articleId(ref: string): number {
  if (!/^\d{1,15}$/.test(ref)) throw new ValidationError('invalid_argument', `articles: ID must be a number, got ${JSON.stringify(ref)}`, 400);
  return Number(ref);
}

function line(a: Article): string {
  const extra = a.status === 'embargoed' ? ` until ${a.embargoedUntil}` : a.statusReason ? ` (${a.statusReason})` : '';
  return `article ${a.id} is ${a.status}${extra}: seq ${a.seq}, revision ${a.revision ?? 1} "${a.title}"\n`;
}

export function registerArticleCommands(program: Command, getCore: () => Promise<Core>, io: Out): void {
  const articles = program.command('articles').description('story lifecycle: kill, withhold, release, embargo, correct; revisions');
  // The options become the admin API's body for the action, checked by the same schema.
  const act = (action: LifecycleAction, body: (o: Record<string, string | undefined>) => Record<string, unknown>) => async (ref: string, o: Record<string, string | undefined>) => {
    const id = articleId(ref);
    const input = parseArticleAction(action, body(o), `articles ${action}`);
    const a = await (await getCore()).lifecycle.act(id, action, input);
    if (o.json) io.out(JSON.stringify({ article: a }, null, 2) + '\n');
    else io.out(line(a));
  };
  const withReason = (o: Record<string, string | undefined>) => ({ reason: o.reason });

  const simple: [LifecycleAction, string][] = [
    ['kill', 'kill a story (final): it leaves every feed and cursor partners receive a tombstone'],
    ['withhold', 'withhold a story until it is released: it leaves every feed, cursor partners receive a tombstone'],
    ['release', 'make a withheld or embargoed story usable again'],
  ];
  for (const [action, description] of simple) {
    articles.command(action).description(description).argument('<id>').option('-r, --reason <text>', 'notice for partners').option('--json', 'print JSON').action(act(action, withReason));
  }
  articles
    .command('embargo')
    .description('hold a story back until a time (RFC 3339); it appears by itself then')
    .argument('<id>')
    .requiredOption('-u, --until <time>', 'e.g. 2026-01-05T06:00:00Z')
    .option('-r, --reason <text>', 'notice for partners')
    .option('--json', 'print JSON')
    .action(act('embargo', (o) => ({ reason: o.reason, until: o.until })));
  articles
    .command('correct')
    .description('correct a story: a new revision with a notice, delivered to cursor partners')
    .argument('<id>')
    .option('-r, --reason <text>', 'correction notice')
    .option('--title <text>')
    .option('--summary <text>')
    .option('--caption <text>', 'caption of the first photo')
    .option('--json', 'print JSON')
    .action(act('correct', (o) => ({ reason: o.reason, title: o.title, summary: o.summary, assets: o.caption === undefined ? undefined : [{ caption: o.caption }] })));
  articles
    .command('revisions')
    .description('list the revisions of a story with what changed')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: string }) => {
      const revisions = await (await getCore()).lifecycle.revisions(articleId(ref));
      if (o.json) io.out(JSON.stringify({ revisions }, null, 2) + '\n');
      else for (const r of revisions) io.out(`${r.number}  ${r.at}  ${r.status}  ${r.reason ?? '-'}  ${r.changes.join(', ')}\n`);
    });
}
