// The CLI run in this process (same code as the binary, no process start), output captured.
import { runCli } from '../../src/cli/main.js';

export async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // runCli sets process.exitCode like the binary does; a test process must not keep it.
  process.exitCode = undefined;
  const code = await runCli(args, env, { out: (s) => (out += s), err: (s) => (err += s) });
  process.exitCode = undefined;
  return { code, out, err };
}
