/** A token as its source delivered it. @internal */
export interface TokenGrant {
  accessToken: string;
  /** Seconds from the request's start; `undefined` when the source did not say. */
  expiresIn: number | undefined;
}

/** @internal */
export interface TokenCacheOptions {
  clock: () => number;
  random: () => number;
  refreshMarginSeconds: number;
  jitterSeconds: number;
  /** Whether an error may go away by itself (network, 5xx, 429): then a still-valid token is used. */
  isTransient: (error: unknown) => boolean;
}

interface CachedToken {
  value: string;
  /** Epoch ms after which the token must not be sent (Infinity when unknown). */
  expiresAt: number;
  /** Epoch ms from which getToken() fetches a new token before answering. */
  refreshAt: number;
}

/** How long a token whose refresh failed transiently is used before the next attempt (at most). */
const RETRY_REFRESH_AFTER_MS = 30_000;

/**
 * The cache behind every token source: one token, refreshed ahead of expiry, one fetch in
 * flight however many callers wait.
 *
 * Timing, checked against the clock at each call: a token fetched at `t` (the request's start,
 * so the round trip only makes us earlier) with `expires_in = L` expires at `t + L`. From
 * `t + L − margin − jitter` on (jitter drawn once per token, so a fleet started together does not
 * refresh together), callers wait for a new token; never before `t + L/2`, so a margin larger
 * than a short lifetime cannot make every call fetch. If that refresh fails transiently while
 * the old token is still valid, callers get the old token and the next attempt waits up to 30 s.
 * A token without a known lifetime (no `expires_in` and no readable JWT `exp`) is used until
 * invalidated.
 *
 * @internal
 */
export class TokenCache {
  // JavaScript private fields: the token never shows in console.log or util.inspect output.
  #current: CachedToken | undefined;
  #inflight: Promise<string> | undefined;
  readonly #fetchToken: () => Promise<TokenGrant>;
  readonly #options: TokenCacheOptions;

  constructor(fetchToken: () => Promise<TokenGrant>, options: TokenCacheOptions) {
    this.#fetchToken = fetchToken;
    this.#options = options;
  }

  async get(): Promise<string> {
    const cached = this.#current;
    const now = this.#options.clock();
    if (cached && now < cached.refreshAt) return cached.value;
    if (!cached || now >= cached.expiresAt) return this.#refresh();
    try {
      return await this.#refresh();
    } catch (error) {
      const later = this.#options.clock();
      if (!this.#options.isTransient(error) || this.#current !== cached || later >= cached.expiresAt) throw error;
      cached.refreshAt = later + Math.min(RETRY_REFRESH_AFTER_MS, (cached.expiresAt - later) / 2);
      return cached.value;
    }
  }

  invalidate(token?: string): void {
    if (token === undefined || this.#current?.value === token) this.#current = undefined;
  }

  /** The cached token, if any (valid or not). */
  peek(): string | undefined {
    return this.#current?.value;
  }

  #refresh(): Promise<string> {
    this.#inflight ??= this.#fetchAndStore().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetchAndStore(): Promise<string> {
    const requestedAt = this.#options.clock();
    const grant = await this.#fetchToken();
    const lifetimeSeconds = grant.expiresIn ?? lifetimeFromJwt(grant.accessToken, requestedAt);
    if (lifetimeSeconds === undefined) {
      this.#current = { value: grant.accessToken, expiresAt: Infinity, refreshAt: Infinity };
    } else {
      const lifetimeMs = Math.max(0, lifetimeSeconds) * 1000;
      const marginMs = (this.#options.refreshMarginSeconds + this.#options.random() * this.#options.jitterSeconds) * 1000;
      this.#current = {
        value: grant.accessToken,
        expiresAt: requestedAt + lifetimeMs,
        refreshAt: requestedAt + Math.max(lifetimeMs - marginMs, lifetimeMs / 2),
      };
    }
    return grant.accessToken;
  }
}

/**
 * Seconds left per the JWT's `exp`, read without verifying (only to time the refresh: the
 * resource server verifies). `undefined` for an opaque token.
 */
function lifetimeFromJwt(token: string, now: number): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const claims: unknown = JSON.parse(atob(base64));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp - now / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** @internal */
export function checkSeconds(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a finite number ≥ 0`);
  return value;
}
