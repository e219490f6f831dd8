import os from 'node:os';

export function machineInfo(): { cores: number; cpu: string; memoryGiB: number; node: string; platform: string } {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}
