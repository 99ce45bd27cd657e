import type { Clock } from './clock.ts';

export interface RateLimitRule {
  /** Failures allowed per window. */
  limit: number;
  windowMs: number;
}

export interface FailureLimiterOptions {
  /** Most keys held at once (default {@link DEFAULT_MAX_KEYS}). */
  maxKeys?: number;
}

/** Bounds the number of keys whatever a flood of failing requests looks like. */
export const DEFAULT_MAX_KEYS = 100_000;

/**
 * Longest key kept as given. Callers build keys from a normalised address (at most 24
 * characters, `client-address.ts`), a newline and a 32-character client id: 57 characters.
 * A longer key is a caller's bug; it is counted in one shared bucket rather than stored, so
 * memory stays bounded in bytes too: at most maxKeys × (this many UTF-16 units + a window).
 */
export const MAX_KEY_LENGTH = 96;
const OVERSIZED_KEY = '\u0000oversized';

/** Expired windows dropped per call, at most: every call stays O(1), and pruning keeps up. */
const PRUNE_PER_CALL = 4;

interface Window {
  start: number;
  count: number;
}

/**
 * Counts failures per key in fixed windows. In-process: one node's view (a shared store comes
 * with Redis). Only failures count, so a healthy client is never slowed down.
 *
 * Every operation is O(1) — no sweep ever walks the keys. Windows live in two Maps, whose
 * insertion order does the bookkeeping:
 * - `counting` holds windows under the limit, ordered by window start (a window is re-inserted
 *   when it starts over). The first entry is the oldest window, so expired windows are a prefix
 *   that a few steps per call drop, and the first entry is the one evicted when the limiter is
 *   full: of all counts, it has the least time left to protect.
 * - `blocked` holds windows that reached the limit (the keys `retryAfter` refuses), in the order
 *   they reached it.
 *
 * When full, a new key evicts rather than being ignored: a new source is always counted, and
 * throttled after `limit` failures, however many sources came before (failing open there was the
 * red team's finding). The choice of victim is what keeps the limiter closed:
 * - An under-limit window goes first. Losing it hands that source at most `limit - 1` extra
 *   failures, which it could have had from a fresh source anyway.
 * - A blocked window is evicted only when every window held is blocked: `maxKeys` sources each
 *   over the limit inside one window. An attacker with that many sources is already allowed
 *   `limit` failures from each of them, and each eviction costs it another `limit` failures from
 *   a new source, so eviction gains it nothing. Refusing every unknown source instead would let
 *   that same attacker lock out every legitimate client arriving from a new address; we choose
 *   availability there. A flood of new sources that each fail once can never unblock anyone.
 * Keys are addresses (or an address with a client id), never a client id alone: client ids are
 * public, so throttling by one would let anyone lock a production integration out (SPEC §2).
 */
export class FailureLimiter {
  private readonly counting = new Map<string, Window>();
  private readonly blocked = new Map<string, Window>();
  private readonly maxKeys: number;
  private examinedEntries = 0;

  constructor(
    private readonly clock: Clock,
    private readonly rule: RateLimitRule,
    options: FailureLimiterOptions = {},
  ) {
    this.maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_KEYS);
  }

  /** Keys held (live or not yet pruned); never more than `maxKeys`. */
  get size(): number {
    return this.counting.size + this.blocked.size;
  }

  /**
   * Map entries looked at by pruning and eviction since creation: lets tests prove that an
   * operation does a bounded amount of work, whatever the limiter holds.
   */
  get examined(): number {
    return this.examinedEntries;
  }

  /** No failure on record: the common case, checked without building a key. */
  isEmpty(): boolean {
    if (this.size === 0) return true;
    this.prune(this.clock.now());
    return this.size === 0;
  }

  /**
   * Some key is over its limit. When false, `retryAfter` answers 0 for every key: a caller can
   * skip building keys (the common case, cheaper than `isEmpty`, which any failure falsifies).
   */
  isThrottling(): boolean {
    if (this.blocked.size === 0) return false;
    this.prune(this.clock.now());
    return this.blocked.size > 0;
  }

  /** Seconds to wait when `key` is over its limit, else 0. */
  retryAfter(key: string): number {
    if (this.blocked.size === 0) return 0;
    const bounded = boundKey(key);
    const window = this.blocked.get(bounded);
    if (!window) return 0;
    const now = this.clock.now();
    const remaining = window.start + this.rule.windowMs - now;
    if (remaining <= 0) {
      this.blocked.delete(bounded);
      return 0;
    }
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  fail(key: string): void {
    const bounded = boundKey(key);
    const now = this.clock.now();
    this.prune(now);

    const blocked = this.blocked.get(bounded);
    if (blocked) {
      // Requests already past the throttle check when the limit was reached still count.
      if (now - blocked.start < this.rule.windowMs) return void blocked.count++;
      this.blocked.delete(bounded);
    }
    const counting = this.counting.get(bounded);
    if (counting) {
      if (now - counting.start < this.rule.windowMs) {
        counting.count++;
        if (counting.count >= this.rule.limit) {
          this.counting.delete(bounded);
          this.blocked.set(bounded, counting);
        }
        return;
      }
      // Starts over: re-inserted, so `counting` stays ordered by window start.
      this.counting.delete(bounded);
    }

    if (this.size >= this.maxKeys) this.evict();
    const window = { start: now, count: 1 };
    if (window.count >= this.rule.limit) this.blocked.set(bounded, window);
    else this.counting.set(bounded, window);
  }

  /** Makes room for one key: see the class comment for why this victim. */
  private evict(): void {
    const victims = this.counting.size > 0 ? this.counting : this.blocked;
    const oldest = victims.keys().next();
    this.examinedEntries++;
    if (!oldest.done) victims.delete(oldest.value);
  }

  /** Drops a few expired windows from the front of each map. */
  private prune(now: number): void {
    this.pruneFront(this.counting, now);
    // `blocked` is ordered by when the limit was reached, not by start, so a live window may
    // shadow expired ones behind it; those go when it does, at most one window later.
    this.pruneFront(this.blocked, now);
  }

  private pruneFront(windows: Map<string, Window>, now: number): void {
    if (windows.size === 0) return;
    let budget = PRUNE_PER_CALL;
    for (const [key, window] of windows) {
      this.examinedEntries++;
      if (now - window.start < this.rule.windowMs) return;
      windows.delete(key);
      if (--budget === 0) return;
    }
  }
}

/** A key as stored: over-long keys (a caller's bug) share one bucket instead of growing memory. */
function boundKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : OVERSIZED_KEY;
}
