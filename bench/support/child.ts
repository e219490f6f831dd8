// Child processes for the benchmarks: the fixture fleet, wirefeed's side and the load generator
// each run in their own process so their CPU and memory are measured apart. Messages go over
// the IPC channel as { type, ... } objects; every child exits on its own when its parent goes.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Msg {
  type: string;
  [k: string]: unknown;
}

export class Child {
  private waiters: { type: string; resolve: (m: Msg) => void; reject: (e: Error) => void }[] = [];
  private exited = false;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: Msg) => {
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
      else if (m.type === 'error') for (const w of this.waiters.splice(0)) w.reject(new Error(`${name}: ${String(m.message)}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${code ?? signal}) while waiting for ${w.type}`));
    });
  }

  send(m: Msg): void {
    this.proc.send(m);
  }

  /** Waits for the next message of this type (bounded). */
  wait(type: string, timeoutMs = 600_000): Promise<Msg> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`${this.name}: no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (m: Msg) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ type, resolve: done, reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  async request(m: Msg, reply: string, timeoutMs?: number): Promise<Msg> {
    const p = this.wait(reply, timeoutMs);
    this.send(m);
    return p;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    try {
      this.send({ type: 'exit' });
    } catch {
      /* channel closed */
    }
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(t);
  }
}

/** Forks a TypeScript module under tsx with an IPC channel. */
export function forkTs(name: string, moduleUrl: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Child {
  const proc = fork(fileURLToPath(moduleUrl), args, {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Child(name, proc);
}

/** In a child: handle messages; exits when the parent disconnects or sends 'exit'. */
export function serveParent(handler: (m: Msg) => Promise<Msg | void> | Msg | void): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: Msg) => {
    if (m.type === 'exit') {
      void Promise.resolve(onExit?.()).finally(() => process.exit(0));
      return;
    }
    Promise.resolve()
      .then(() => handler(m))
      .then(
        (reply) => reply && process.send!(reply),
        (err: unknown) => process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}

let onExit: (() => Promise<void> | void) | undefined;
export function onParentExit(fn: () => Promise<void> | void): void {
  onExit = fn;
}

export function toParent(m: Msg): void {
  process.send!(m);
}
