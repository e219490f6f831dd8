// Every benchmark reports a measured figure next to a baseline measured in the same run:
// the machine is shared and noisy, so only ratios mean anything.

export interface Measure {
  name: string;
  value: number;
  /** e.g. 'req/s', 'items/s', 'ms', 'MB'. */
  unit: string;
}

export interface BenchResult {
  /** What is measured, e.g. 'serve cached 50-item feed (gzip)'. */
  name: string;
  subject: Measure;
  baseline?: Measure;
  /** subject vs baseline, oriented so that higher is better (e.g. throughput ratio, or baseline/subject for times). */
  ratio?: number;
  /** Human-readable target, e.g. '≥ 0.5'. */
  target: string;
  pass: boolean;
  notes?: string;
}

/** A benchmark module exports `run` with this signature. */
export type BenchModule = (opts: { quick: boolean; log: (line: string) => void }) => Promise<BenchResult[]>;
