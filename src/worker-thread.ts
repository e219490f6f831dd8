// Starting worker threads from modules that run as .ts under tsx (tests, `npm run dev`) and as
// .js from dist. A leaf like errors.ts: ingest/ and storage/ both start workers through it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * URL of tsx's ESM register API, found through tsx's own exports map. Neither
 * import.meta.resolve (tsx may run the caller as CommonJS, without it) nor require.resolve
 * (it picks the CommonJS build, which cannot register ESM hooks in a worker) will do.
 */
function tsxEsmApiUrl(from: URL): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
}

/**
 * Starts a worker on `url`. Built code runs the .js module directly. Under tsx the module is .ts,
 * and Node 20 does not carry the parent's `--import tsx` hooks into worker threads, so the worker
 * registers tsx itself before importing the module. `options` (workerData, transferList, ...)
 * apply either way.
 */
export function startWorker(url: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const bootstrap = `import(${JSON.stringify(tsxEsmApiUrl(url))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** URL of the module `name` next to `moduleUrl` (the caller's import.meta.url), with the caller's extension. */
export function siblingModuleUrl(moduleUrl: string, name: string): URL {
  const ext = path.extname(fileURLToPath(moduleUrl)) || '.js';
  return new URL(`./${name}${ext}`, moduleUrl);
}

/**
 * Lowers the calling worker thread's CPU priority (nice 10). On Linux a nice value belongs to
 * the thread, so background ingest work yields the cores to the thread serving HTTP when they
 * are scarce, and still gets them all when they are idle. Elsewhere it may apply to the whole
 * process or be refused; failures are ignored.
 */
export function lowerThreadPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(10);
  } catch {
    // Not permitted in this environment: run at normal priority.
  }
}
