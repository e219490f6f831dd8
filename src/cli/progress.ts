// Progress of a long CLI job (opml import, fetch, backup). On a terminal: one line rewritten in
// place with count, rate and ETA, at most ten times a second. Anywhere else (a pipe, a log file,
// CI): nothing at all, so output stays line-oriented and the command prints its own summary.
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** Sets how much is done (and the total, when it becomes known). */
  update(done: number, total?: number): void;
  /** Clears the line; the caller prints its summary after. */
  end(): void;
}

const REDRAW_MS = 100;

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

/** The progress line: "fetch 120/400 30% · 12.5/s · ETA 22s" (pure, for tests). */
export function progressLine(label: string, done: number, total: number | undefined, elapsedMs: number, unit = ''): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)}${unit}/s`;
  if (!total) return `${label} ${done} · ${rateText}`;
  const pct = Math.min(100, Math.floor((done / total) * 100));
  const eta = rate > 0 ? clock((total - done) / rate) : '?';
  return `${label} ${done}/${total} ${pct}% · ${rateText} · ETA ${eta}`;
}

export function createProgress(label: string, stream: ProgressStream, opts: { now?: () => number; unit?: string } = {}): Progress {
  const now = opts.now ?? (() => performance.now());
  if (!stream.isTTY) return { update() {}, end() {} };
  const started = now();
  let last = -Infinity;
  let total: number | undefined;
  let shown = false;
  return {
    update(done, t) {
      if (t !== undefined) total = t;
      const at = now();
      if (at - last < REDRAW_MS && done !== total) return;
      last = at;
      const line = progressLine(label, done, total, at - started, opts.unit);
      const width = (stream.columns ?? 80) - 1;
      stream.write(`\r${line.slice(0, width)}\x1b[K`);
      shown = true;
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
