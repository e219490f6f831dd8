// `npm run bench [-- --quick] [-- name ...]`: runs every bench/*.bench.ts module (or those whose
// file name contains one of the given words), prints progress, and writes bench/results.md with
// each figure next to its same-run baseline, the ratio, the target and pass/fail. A filtered run
// replaces only its own modules' sections in results.md and keeps the others.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineInfo } from './support/machine.js';
import type { BenchModule, BenchResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(here, 'results.md');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)));
if (files.length === 0) {
  process.stderr.write(`bench: no module matches ${filters.join(', ')}\n`);
  process.exit(2);
}

const fmt = (n: number | undefined): string => {
  if (n === undefined || Number.isNaN(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(2);
};
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(results: BenchResult[]): string {
  const rows = [
    '| figure | measured | baseline (same run) | ratio | target | result | notes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const m = `${fmt(r.subject.value)} ${r.subject.unit} (${r.subject.name})`;
    const b = r.baseline ? `${fmt(r.baseline.value)} ${r.baseline.unit} (${r.baseline.name})` : '–';
    rows.push(`| ${cell(r.name)} | ${cell(m)} | ${cell(b)} | ${r.ratio === undefined ? '–' : fmt(r.ratio)} | ${cell(r.target)} | ${r.pass ? 'pass' : '**FAIL**'} | ${cell(r.notes ?? '')} |`);
  }
  return rows.join('\n');
}

function section(name: string, body: string): string {
  return `<!-- bench:${name} -->\n${body}\n<!-- /bench:${name} -->`;
}

async function main(): Promise<void> {
  const m = machineInfo();
  const startedAt = new Date();
  const machineLine = `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}`;
  process.stdout.write(`bench: ${files.length} module(s)${quick ? ' (quick)' : ''} on ${machineLine}\n`);
  const sections = new Map<string, string>();
  let failures = 0;
  for (const file of files) {
    const name = file.replace(/\.bench\.ts$/, '');
    const t0 = performance.now();
    process.stdout.write(`\n== ${name}\n`);
    const log = (line: string) => process.stdout.write(`  [${name} ${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
    let body: string;
    try {
      const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: BenchModule };
      const results = await mod.run({ quick, log });
      for (const r of results) {
        if (!r.pass) failures++;
        log(`${r.pass ? 'pass' : 'FAIL'}  ${r.name}: ${fmt(r.subject.value)} ${r.subject.unit}${r.baseline ? ` vs ${fmt(r.baseline.value)} ${r.baseline.unit}` : ''}${r.ratio !== undefined ? ` (ratio ${fmt(r.ratio)}, target ${r.target})` : ` (target ${r.target})`}`);
      }
      body = table(results);
    } catch (err) {
      failures++;
      const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`ERROR ${msg}`);
      body = `**error**: \`${cell(msg.split('\n')[0] ?? msg)}\``;
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    sections.set(name, section(name, `## ${name}\n\n_${startedAt.toISOString()}, ${quick ? 'quick' : 'full'} run, ${secs} s, ${machineLine}_\n\n${body}`));
  }

  // Merge with the sections of modules not run this time.
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const re = /<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g;
  const merged = new Map<string, string>();
  for (const match of old.matchAll(re)) merged.set(match[1]!, match[0]);
  for (const [k, v] of sections) merged.set(k, v);
  const names = [...merged.keys()].sort();
  const out = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (`bench/run.ts`). Every figure is measured next to a baseline in the same run',
    'on a shared, noisy machine: judge the ratio, not the absolute numbers. Ratios are oriented so that higher is',
    'better (throughput / baseline throughput, or baseline time / measured time) unless the target says otherwise.',
    '',
    `Last run: ${startedAt.toISOString()} on ${machineLine}.`,
    '',
    ...names.map((n) => merged.get(n)! + '\n'),
  ].join('\n');
  writeFileSync(RESULTS, out);
  process.stdout.write(`\nbench: wrote ${path.relative(process.cwd(), RESULTS)}; ${failures} figure(s) miss their target\n`);
}

await main();
process.exit(0);
