import type { Clock } from './clock.ts';

/** Bounds memory whatever a flood of failing requests looks like. */
const MAX_KEYS = 100_000;

export interface RateLimitRule {
  /** Failures allowed per window. */
  limit: number;
  windowMs: number;
}

/**
 * Counts failures per key in fixed windows. In-process: one node's view (a shared store comes
 * with Redis). Only failures count, so a healthy client is never slowed down.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rule: RateLimitRule,
  ) {}

  /** No failure on record: the common case, checked without building a key. */
  isEmpty(): boolean {
    return this.windows.size === 0;
  }

  /** Seconds to wait when `key` is over its limit, else 0. */
  retryAfter(key: string): number {
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.rule.windowMs || window.count < this.rule.limit) return 0;
    return Math.max(1, Math.ceil((window.start + this.rule.windowMs - now) / 1000));
  }

  fail(key: string): void {
    const now = this.clock.now();
    const window = this.windows.get(key);
    if (window && now - window.start < this.rule.windowMs) {
      window.count++;
      return;
    }
    if (now - this.lastSweep > this.rule.windowMs || this.windows.size >= MAX_KEYS) this.sweep(now);
    // Full of live windows (a flood from very many sources): new keys wait for room rather than
    // growing memory; the other limiter still counts them.
    if (this.windows.size < MAX_KEYS) this.windows.set(key, { start: now, count: 1 });
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.start >= this.rule.windowMs) this.windows.delete(key);
  }
}
