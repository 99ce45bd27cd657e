/**
 * CPU accounting around a measured run (Linux /proc): how much CPU the server and this process
 * used, and how busy the rest of the machine was. The machine is shared, so a figure measured
 * while other processes held a core says little: the report shows that load beside every figure.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux.

export interface CpuSnapshot {
  at: number;
  /** Jiffies the machine spent running tasks (user, nice, system), in interrupts (irq, softirq: loopback TCP), stolen. */
  busy: number;
  irq: number;
  steal: number;
  /** Milliseconds of CPU used by the server child (every thread) and by this process. */
  server: number;
  self: number;
}

function machine(): { busy: number; irq: number; steal: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return { busy: user + nice + system, irq: irq + softirq, steal };
  } catch {
    return null;
  }
}

function processMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

export function snapshot(serverPid?: number): CpuSnapshot {
  const m = machine();
  const self = process.cpuUsage();
  return { at: performance.now(), busy: m?.busy ?? NaN, irq: m?.irq ?? NaN, steal: m?.steal ?? NaN, server: processMs(serverPid), self: (self.user + self.system) / 1000 };
}

export interface CpuUse {
  /** Cores' worth of CPU over the interval. */
  server: number;
  loadGenerator: number;
  /** Tasks other than the server and this process (other sessions, daemons): what makes a figure noisy. */
  other: number;
  /** Interrupt and softirq time, machine-wide: mostly the loopback TCP traffic of the run itself. */
  irq: number;
  steal: number;
  /** Server CPU per request, in µs. */
  serverMicrosPerRequest: number;
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot, requests: number): CpuUse {
  const wall = b.at - a.at;
  const server = b.server - a.server;
  const self = b.self - a.self;
  const busy = (b.busy - a.busy) * TICK_MS;
  return {
    server: server / wall,
    loadGenerator: self / wall,
    other: Number.isFinite(busy) ? Math.max(0, busy - server - self) / wall : NaN,
    irq: ((b.irq - a.irq) * TICK_MS) / wall,
    steal: ((b.steal - a.steal) * TICK_MS) / wall,
    serverMicrosPerRequest: requests > 0 ? (server * 1000) / requests : NaN,
  };
}

export const describeCpu = (use: CpuUse) =>
  `server ${use.server.toFixed(2)} cores (${use.serverMicrosPerRequest.toFixed(0)} µs CPU/request), autocannon ${use.loadGenerator.toFixed(2)} cores, ` +
  `softirq ${Number.isFinite(use.irq) ? use.irq.toFixed(2) : '?'} cores, other processes ${Number.isFinite(use.other) ? use.other.toFixed(2) : '?'} cores, steal ${Number.isFinite(use.steal) ? use.steal.toFixed(2) : '?'} cores`;
