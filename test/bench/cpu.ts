import { readFileSync, readdirSync } from 'node:fs';

/** CPU seconds used so far by the server, by every PostgreSQL process, and by this process (the load generator). */
export interface CpuSample {
  server: number;
  postgres: number;
  loadGenerator: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process from /proc (Linux); undefined when it is gone. */
function cpuSeconds(pid: number): { comm: string; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

export function sampleCpu(serverPid: number): CpuSample {
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const usage = cpuSeconds(Number(entry));
    if (usage?.comm.startsWith('postgres')) postgres += usage.seconds;
  }
  return { server: cpuSeconds(serverPid)?.seconds ?? 0, postgres, loadGenerator: cpuSeconds(process.pid)?.seconds ?? 0 };
}

/** Milliseconds of CPU per unit of work between two samples, per side. */
export function cpuPerUnit(before: CpuSample, after: CpuSample, units: number) {
  const ms = (key: keyof CpuSample) => Math.round(((after[key] - before[key]) * 1000 * 100) / units) / 100;
  return { serverMs: ms('server'), postgresMs: ms('postgres'), loadGeneratorMs: ms('loadGenerator') };
}
