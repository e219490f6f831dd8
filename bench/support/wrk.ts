// The HTTP load client for server benchmarks: wrk (Debian package `wrk`), a C client that outruns
// a raw node:http server on this machine, so what a bench measures is the server. autocannon
// saturated near 17k req/s here, below the raw server (~37k), and so measured itself.
// `ensureWrk` installs it when missing and we are root (CI), otherwise it says how to.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface WrkOptions {
  headers?: Record<string, string>;
  seconds: number;
  connections?: number;
  threads?: number;
}

export interface WrkResult {
  requests: number;
  rps: number;
  /** Responses outside 2xx/3xx, plus connect/read/write/timeout errors. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

// wrk's Lua `done` hook reports the summary as one JSON line (latencies are in µs).
const REPORT_LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"errors":%d,"p50":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Makes sure `wrk` is on PATH: installs the Debian package when running as root. */
export function ensureWrk(): void {
  if (hasWrk()) return;
  if (process.getuid?.() !== 0) throw new Error('bench: wrk is not installed; run `sudo apt-get install wrk`');
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!hasWrk()) throw new Error('bench: installing wrk failed');
}

/** One wrk run against `url`; throws when any response was an error. */
export async function wrk(url: string, opts: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-wrk-'));
  const script = path.join(dir, 'report.lua');
  writeFileSync(script, REPORT_LUA);
  const args = ['-t', String(opts.threads ?? 2), '-c', String(opts.connections ?? 32), '-d', `${opts.seconds}s`, '-s', script];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(url);
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('wrk', args, { timeout: (opts.seconds + 30) * 1000 }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
    if (!line) throw new Error(`bench: wrk printed no summary:\n${stdout}`);
    const r = JSON.parse(line.slice('WRK_JSON '.length)) as { requests: number; durationUs: number; errors: number; p50: number; p99: number };
    const result: WrkResult = { requests: r.requests, rps: r.requests / (r.durationUs / 1e6), errors: r.errors, p50Ms: r.p50 / 1000, p99Ms: r.p99 / 1000 };
    if (result.errors > 0) throw new Error(`bench: ${url} answered ${result.errors} errors of ${result.requests} requests`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
