import { OAuthError } from './oauth-error.js';

/**
 * How requests to the authorization server are retried: exponential backoff with full jitter
 * (a random delay between 0 and `min(maxDelayMs, baseDelayMs × 2^attempt)`), on network errors,
 * 5xx and 429 only. A `Retry-After` header (seconds or an HTTP date, RFC 9110 §10.2.3) is
 * honoured as the minimum delay; one longer than `maxDelayMs` is not waited for: the error is
 * thrown at once with `retryAfterSeconds`, so a caller is never parked for minutes.
 *
 * @example
 * ```ts
 * import { ClientCredentials, type RetryOptions } from '@latchkey/sdk';
 * const retry: RetryOptions = { retries: 5, baseDelayMs: 100, maxDelayMs: 5_000 };
 * const credentials = new ClientCredentials({ tokenUrl, clientId, clientSecret, retry });
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  retries?: number;
  /** The first backoff ceiling in milliseconds (default 250). */
  baseDelayMs?: number;
  /** The largest delay in milliseconds, backoff and `Retry-After` alike (default 10 000). */
  maxDelayMs?: number;
}

/** @internal */
export interface RetryContext {
  retry: Required<RetryOptions>;
  clock: () => number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** @internal */
export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 3, baseDelayMs: 250, maxDelayMs: 10_000 };

/** @internal */
export function resolveRetry(options: RetryOptions | undefined): Required<RetryOptions> {
  const retries = options?.retries ?? DEFAULT_RETRY.retries;
  const baseDelayMs = options?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  for (const [name, value] of Object.entries({ retries, baseDelayMs, maxDelayMs })) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`retry.${name} must be a finite number ≥ 0`);
  }
  return { retries: Math.floor(retries), baseDelayMs, maxDelayMs };
}

/** @internal */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * `undefined` when absent or unreadable; never negative.
 *
 * @internal
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). @internal */
export function backoffDelay(attempt: number, retry: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** @internal */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/**
 * Sends a request, retrying network errors, 5xx and 429 as {@link RetryOptions} says, and returns
 * the last response (which may still be a 5xx or 429 when retries ran out: the caller turns it
 * into an error). A network error on the last attempt throws `OAuthError('network_error')`.
 *
 * @internal
 */
export async function sendWithRetry(send: () => Promise<Response>, context: RetryContext): Promise<Response> {
  const { retry, clock, random, sleep } = context;
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= retry.retries;
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      // fetch rejects only when no HTTP answer came (DNS, refused, reset, TLS): always transient.
      if (last) throw new OAuthError({ error: 'network_error', error_description: describe(error), cause: error });
      await sleep(backoffDelay(attempt, retry, random));
      continue;
    }
    if (!isRetryableStatus(response.status) || last) return response;
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'), clock());
    if (retryAfter !== undefined && retryAfter > retry.maxDelayMs) return response;
    await discard(response);
    await sleep(Math.max(retryAfter ?? 0, backoffDelay(attempt, retry, random)));
  }
}

/** Releases a response's connection without reading what nobody will use. @internal */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to release.
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/**
 * `{ signal }` aborting after `ms` (none for 0, or where `AbortSignal.timeout` is missing). An
 * aborted fetch rejects, which {@link sendWithRetry} treats as a network error.
 *
 * @internal
 */
export function timeoutSignal(ms: number): { signal?: AbortSignal } {
  return ms > 0 && typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function' ? { signal: AbortSignal.timeout(ms) } : {};
}
