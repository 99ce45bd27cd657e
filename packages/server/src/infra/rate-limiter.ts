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
 * Measured with the longest keys callers build: about 250 bytes a key, 25 MB at the default
 * 100,000 keys, whatever is sent (the 4 KiB X-Forwarded-For values that grew RSS by 120 MB now
 * normalise to one key).
 */
export const MAX_KEY_LENGTH = 96;
const OVERSIZED_KEY = '\u0000oversized';

/** Expired windows dropped per call, at most: every call stays O(1), and pruning keeps up. */
const PRUNE_PER_CALL = 4;

/** One key's fixed window, linked into the queue it belongs to (intrusive: no extra node). */
interface Window {
  readonly key: string;
  readonly start: number;
  count: number;
  blocked: boolean;
  prev: Window | null;
  next: Window | null;
}

/** A doubly linked FIFO of windows: append, unlink and read the oldest, each O(1). */
class WindowQueue {
  head: Window | null = null;
  private tail: Window | null = null;
  size = 0;

  append(window: Window): void {
    window.prev = this.tail;
    window.next = null;
    if (this.tail) this.tail.next = window;
    else this.head = window;
    this.tail = window;
    this.size++;
  }

  unlink(window: Window): void {
    if (window.prev) window.prev.next = window.next;
    else this.head = window.next;
    if (window.next) window.next.prev = window.prev;
    else this.tail = window.prev;
    window.prev = window.next = null;
    this.size--;
  }
}

/**
 * Counts failures per key in fixed windows. In-process: one node's view (a shared store comes
 * with Redis). Only failures count, so a healthy client is never slowed down.
 *
 * Every operation is O(1): a Map finds a key's window, and two linked queues keep the order —
 * no sweep ever walks the keys. (Not a Map's own insertion order: V8 leaves a hole for each
 * deleted entry until the table is rebuilt, and `map.keys().next()` skips the holes one by one,
 * so evicting the oldest entry that way costs O(evictions so far): 100k evictions took 1.7 s.)
 * - `counting` holds windows under the limit, ordered by window start (a window that starts
 *   over is re-queued). The oldest window is first, so expired windows are a prefix that a few
 *   steps per call drop, and it is the one evicted when the limiter is full: of all counts, it
 *   has the least time left to protect.
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
  private readonly windows = new Map<string, Window>();
  private readonly counting = new WindowQueue();
  private readonly blocked = new WindowQueue();
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
    return this.windows.size;
  }

  /**
   * Windows looked at by pruning and eviction since creation: lets tests prove that an
   * operation does a bounded amount of work, whatever the limiter holds.
   */
  get examined(): number {
    return this.examinedEntries;
  }

  /** No failure on record: the common case, checked without building a key. */
  isEmpty(): boolean {
    if (this.windows.size === 0) return true;
    this.prune(this.clock.now());
    return this.windows.size === 0;
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
    const window = this.windows.get(boundKey(key));
    if (!window || !window.blocked) return 0;
    const remaining = window.start + this.rule.windowMs - this.clock.now();
    if (remaining <= 0) {
      this.remove(window);
      return 0;
    }
    return Math.max(1, Math.ceil(remaining / 1000));
  }

  fail(key: string): void {
    const bounded = boundKey(key);
    const now = this.clock.now();
    this.prune(now);

    const window = this.windows.get(bounded);
    if (window && now - window.start < this.rule.windowMs) {
      // A blocked key still counts: requests already past the throttle check when it was reached.
      window.count++;
      if (!window.blocked && window.count >= this.rule.limit) {
        this.counting.unlink(window);
        window.blocked = true;
        this.blocked.append(window);
      }
      return;
    }
    // An ended window starts over at the back of the queue, so `counting` stays ordered by start.
    if (window) this.remove(window);
    else if (this.windows.size >= this.maxKeys) this.evict();

    const stored = detach(bounded);
    const fresh: Window = { key: stored, start: now, count: 1, blocked: this.rule.limit <= 1, prev: null, next: null };
    this.windows.set(stored, fresh);
    (fresh.blocked ? this.blocked : this.counting).append(fresh);
  }

  /** Makes room for one key: see the class comment for why this victim. */
  private evict(): void {
    const victim = this.counting.head ?? this.blocked.head;
    this.examinedEntries++;
    if (victim) this.remove(victim);
  }

  private remove(window: Window): void {
    this.windows.delete(window.key);
    (window.blocked ? this.blocked : this.counting).unlink(window);
  }

  /** Drops a few expired windows from the front of each queue. */
  private prune(now: number): void {
    this.pruneFront(this.counting, now);
    // `blocked` is ordered by when the limit was reached, not by start, so a live window may
    // shadow expired ones behind it; those go when it does, at most one window later.
    this.pruneFront(this.blocked, now);
  }

  private pruneFront(queue: WindowQueue, now: number): void {
    for (let budget = PRUNE_PER_CALL; budget > 0 && queue.head !== null; budget--) {
      this.examinedEntries++;
      if (now - queue.head.start < this.rule.windowMs) return;
      this.remove(queue.head);
    }
  }
}

/**
 * A copy of `key` that holds on to nothing else. Keys are built by concatenation
 * (`${source}\n${clientId}`), which V8 keeps as a tree of its parts, and a part may be a slice
 * of a whole request body or header: stored as is, one 57-character key could keep 16 KiB alive
 * (measured: 8 KB a key). JSON's round trip builds one fresh flat string with exactly the same
 * code units (lone surrogates included), which `slice` or `normalize` do not promise. It runs
 * only when a window is created, never on a lookup.
 */
function detach(key: string): string {
  return JSON.parse(JSON.stringify(key)) as string;
}

/** A key as stored: over-long keys (a caller's bug) share one bucket instead of growing memory. */
function boundKey(key: string): string {
  return key.length <= MAX_KEY_LENGTH ? key : OVERSIZED_KEY;
}
