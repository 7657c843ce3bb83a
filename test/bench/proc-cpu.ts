import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc` times (USER_HZ, 100 on Linux). */
const TICK_MS = 10;

/** User + system CPU time of a process, ms (Linux `/proc`; undefined elsewhere). */
export function cpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** User + system CPU time of a process's main thread (its JavaScript thread for Node), ms. */
export function mainThreadCpuMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

/** Busy and total CPU time of the whole machine, ms summed over its cores (`/proc/stat`). */
export function machineCpuMs(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    // idle and iowait
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return undefined;
  }
}

function statCpuMs(path: string): number | undefined {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** CPU use between two readings: cores used by a process, its main thread, and the machine's busy share. */
export interface CpuSnapshot {
  at: number;
  process?: number;
  main?: number;
  machine?: { busy: number; total: number };
}

export function cpuSnapshot(pid: number): CpuSnapshot {
  return { at: performance.now(), process: cpuMs(pid), main: mainThreadCpuMs(pid), machine: machineCpuMs() };
}

/** Cores used by the process and by its main thread, and the machine's busy share, since `from`. */
export function cpuSince(
  from: CpuSnapshot,
  to: CpuSnapshot,
): { process?: number; main?: number; machineBusy?: number } {
  const wall = to.at - from.at;
  const cores = (a?: number, b?: number) =>
    a === undefined || b === undefined || wall <= 0 ? undefined : (b - a) / wall;
  const m =
    from.machine && to.machine && to.machine.total > from.machine.total
      ? (to.machine.busy - from.machine.busy) / (to.machine.total - from.machine.total)
      : undefined;
  return { process: cores(from.process, to.process), main: cores(from.main, to.main), machineBusy: m };
}
