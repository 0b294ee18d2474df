/**
 * Where a run's CPU went: how busy the whole machine was (every process: the load generator,
 * PostgreSQL, nats-server, the service) and how busy this process's event loop was. A service
 * whose event loop is saturated while the machine still has idle cores is limited by its one
 * thread, not by the machine.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface CpuSpan {
  /** Cores busy on average over the span, across the machine (0 … number of cores). */
  machineBusyCores: number;
  cores: number;
  /** Share of the span this process's event loop was running code (0 … 1). */
  eventLoopUtilization: number;
}

/** Starts measuring; call the returned function at the end of the span. */
export function measureCpu(): () => CpuSpan {
  const machineStart = machineTicks();
  const loopStart = performance.eventLoopUtilization();
  return () => {
    const machineEnd = machineTicks();
    const total = machineEnd.total - machineStart.total;
    const cores = cpus().length;
    return {
      machineBusyCores: total > 0 ? ((machineEnd.busy - machineStart.busy) / total) * cores : NaN,
      cores,
      eventLoopUtilization: performance.eventLoopUtilization(loopStart).utilization,
    };
  };
}

/** Busy and total jiffies of all cores, from the `cpu` line of /proc/stat (Linux). */
function machineTicks(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}
