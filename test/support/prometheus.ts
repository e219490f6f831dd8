// Prometheus text format read back with the reference parser: the official Python client's
// text_string_to_metric_families (Debian python3-prometheus-client; the pyenv python3 on PATH
// lacks it, as it lacks feedparser).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "help": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  /** NaN and ±Inf (legal in the format) arrive as the strings "nan", "inf", "-inf". */
  value: number | string;
}
export interface PromFamily {
  /** Counters are named without `_total` by the parser (OpenMetrics convention). */
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  help: string;
  samples: PromSample[];
}

export function prometheusParserMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import prometheus_client'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'python3-prometheus-client not installed for /usr/bin/python3 (apt-get install python3-prometheus-client)';
}

/** Parses an exposition; throws with the parser's message when it is not valid. */
export function parsePrometheus(text: string): PromFamily[] {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`prometheus text does not parse: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout) as PromFamily[];
}

/** The family a sample name belongs to (`x_total` → counter `x`, `x_bucket` → histogram `x`). */
export function familyOf(families: PromFamily[], sampleName: string): PromFamily | undefined {
  return families.find((f) => f.samples.some((s) => s.name === sampleName));
}

/** The value of the sample `name` whose labels include `labels`. */
export function value(families: PromFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families)
    for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return Number(s.value);
  return undefined;
}
