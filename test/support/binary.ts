// The real binaries as a user runs them: the compiled `wirefeed` CLI (package.json "bin") and
// the server `npm start` runs, both from dist/. dist/ is rebuilt first when any source file is
// newer than its compiled output, so a test never runs stale code.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: { wirefeed: string } };
export const CLI_BIN = path.join(ROOT, PKG.bin.wirefeed);
export const SERVER_BIN = path.join(ROOT, 'dist', 'src', 'main.js');

let built = false;

function stale(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (stale(file)) return true;
      continue;
    }
    if (!entry.name.endsWith('.ts')) continue;
    const out = path.join(ROOT, 'dist', path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs) return true;
  }
  return false;
}

export function ensureBuilt(): void {
  if (built) return;
  if (stale(path.join(ROOT, 'src'))) execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

/** A minimal environment: nothing from the test runner's own configuration leaks in. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/**
 * `wirefeed <args>` to completion. Asynchronous on purpose: a synchronous spawn would block this
 * process's event loop, and with it the fixture servers the command fetches from. `cwd`
 * matters: the CLI reads `.env` from there.
 */
export function runBin(args: string[], opts: { env: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<Ran> {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    }),
  );
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  exit: Promise<number | null>;
  logs(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `command args` and resolves once the server logs "wirefeed listening". Output of both
 * streams is kept for assertions (e.g. that no secret appears in it).
 */
export function startServerProcess(opts: { env: Record<string, string>; cwd: string; command?: string; args?: string[]; timeoutMs?: number }): Promise<ServerProcess> {
  ensureBuilt();
  const child = spawn(opts.command ?? process.execPath, opts.args ?? [SERVER_BIN], {
    cwd: opts.cwd,
    env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', WIREFEED_SCHEDULE: '0 0 1 1 *', ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${out}`)), opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:(\d+))"[^\n]*"msg":"wirefeed listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1]!,
          port: Number(m[2]),
          exit,
          logs: () => out,
          stop: () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exit;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited early:\n${out}`));
    });
  });
}
