/** Load generation with autocannon's programmatic API, in this process. */
import autocannon from 'autocannon';
import { cpuUse, snapshot, type CpuUse } from './cpu.ts';

export const CONNECTIONS = 32;
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
export const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export interface LoadSpec {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request's body (round-robin over many clients, say). */
  nextBody?: () => string;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU use over the run, when the server's pid was given. */
  cpu?: CpuUse;
}

function options(spec: LoadSpec, run: { duration?: number; amount?: number }): autocannon.Options {
  const base: autocannon.Options = {
    url: spec.url,
    connections: CONNECTIONS,
    pipelining: 1,
    timeout: 10,
    ...(run.amount ? { amount: run.amount } : { duration: run.duration ?? MEASURE_SECONDS }),
  };
  const method = spec.method ?? 'POST';
  const headers = spec.headers ?? {};
  const nextBody = spec.nextBody;
  if (nextBody) {
    base.requests = [{ method, headers, setupRequest: (request) => ({ ...request, method, headers, body: nextBody() }) }];
  } else {
    base.method = method;
    base.headers = headers;
    if (spec.body !== undefined) base.body = spec.body;
  }
  return base;
}

function summarize(result: autocannon.Result): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/** One load run: `duration` seconds, or `amount` requests; with `serverPid`, CPU use is measured too. */
export async function load(spec: LoadSpec, run: { duration?: number; amount?: number } = {}, serverPid?: number): Promise<LoadResult> {
  const before = snapshot(serverPid);
  const result = summarize(await autocannon(options(spec, run)));
  if (serverPid !== undefined) result.cpu = cpuUse(before, snapshot(serverPid), result.total);
  return result;
}

/** A warm-up run (reported, not scored), then the measured run. */
export async function warmAndMeasure(spec: LoadSpec, serverPid?: number, warmup: { duration?: number; amount?: number } = { duration: WARMUP_SECONDS }) {
  const warm = await load(spec, warmup);
  const measured = await load(spec, { duration: MEASURE_SECONDS }, serverPid);
  return { warm, measured };
}

/** Every response 2xx, no socket error, no timeout. */
export function clean(result: LoadResult): boolean {
  return result.non2xx === 0 && result.errors === 0 && result.timeouts === 0 && result.total > 0;
}

export function describeFailures(result: LoadResult): string {
  const codes = Object.entries(result.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(', ');
  return `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts} (status codes: ${codes || 'none'})`;
}
