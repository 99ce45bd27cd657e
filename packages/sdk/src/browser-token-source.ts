import { checkSeconds, TokenCache } from './token-cache.js';
import type { TokenSource } from './token-source.js';

/**
 * What a {@link BrowserTokenSource}'s `fetchToken` resolves to: your back end's answer — the
 * token response JSON, or the bare token string. A bare string's lifetime is read from its JWT
 * `exp` claim (without verifying it); an opaque one is used until a 401 invalidates it.
 *
 * @example
 * ```ts
 * import type { BrowserToken } from '@latchkey/sdk';
 * const fromJson: BrowserToken = { access_token: 'eyJ…', expires_in: 3600 };
 * const bare: BrowserToken = 'eyJ…';
 * ```
 */
export type BrowserToken = { access_token: string; expires_in?: number } | string;

/**
 * Options of {@link BrowserTokenSource}.
 *
 * @example
 * ```ts
 * import type { BrowserTokenSourceOptions } from '@latchkey/sdk';
 * const options: BrowserTokenSourceOptions = {
 *   fetchToken: async () => (await fetch('/api/latchkey-token', { credentials: 'same-origin' })).json(),
 *   refreshMarginSeconds: 120,
 * };
 * ```
 */
export interface BrowserTokenSourceOptions {
  /** Asks your own back end for a read-only token (it holds the secret; the browser never does). */
  fetchToken: () => Promise<BrowserToken>;
  /** Refresh this many seconds before expiry (default 60). */
  refreshMarginSeconds?: number;
  /** Plus a random 0–`jitterSeconds` per token (default 10), so many tabs do not refresh at once. */
  jitterSeconds?: number;
  /** Milliseconds since the epoch (default `Date.now`); tests pass a frozen clock. */
  clock?: () => number;
  /** A number in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/**
 * The front-end half of the read-only pattern: the browser never holds a Client Secret; it asks
 * your own back end (which runs {@link ClientCredentials} with a **read-only** integration, or
 * `scope` limited to `:list`/`:read` scopes) for a token. This caches that token, refreshes it
 * through `fetchToken` ahead of expiry, and shares one call among concurrent callers. Pass it
 * as `credentials` to {@link createAuthFetch} or {@link EnvironmentApi}, or hand `getToken` to
 * the editor engine's connectors.
 *
 * Errors from `fetchToken` are passed through unchanged and never cached: the next
 * `getToken()` calls it again. Retrying is up to `fetchToken`.
 *
 * @example
 * ```ts
 * import { BrowserTokenSource, EnvironmentApi } from '@latchkey/sdk';
 *
 * const tokens = new BrowserTokenSource({
 *   fetchToken: async () => {
 *     const response = await fetch('/api/latchkey-token', { credentials: 'same-origin' });
 *     if (!response.ok) throw new Error(`token: ${response.status}`);
 *     return response.json(); // { access_token, expires_in }
 *   },
 * });
 * const api = new EnvironmentApi({ baseUrl: 'https://lk.example.com', environment: 'demo', credentials: tokens });
 * for await (const template of api.templates.list()) console.log(template.name);
 * ```
 */
export class BrowserTokenSource implements TokenSource {
  readonly #cache: TokenCache;

  constructor(options: BrowserTokenSourceOptions) {
    if (typeof options?.fetchToken !== 'function') throw new TypeError('BrowserTokenSource needs fetchToken');
    this.#cache = new TokenCache(
      async () => {
        const token = await options.fetchToken();
        if (typeof token === 'string') {
          if (!token) throw new TypeError('fetchToken resolved to an empty token');
          return { accessToken: token, expiresIn: undefined };
        }
        if (!token || typeof token.access_token !== 'string' || !token.access_token) {
          throw new TypeError('fetchToken must resolve to a token string or { access_token, expires_in }');
        }
        const expiresIn = typeof token.expires_in === 'number' && Number.isFinite(token.expires_in) ? token.expires_in : undefined;
        return { accessToken: token.access_token, expiresIn };
      },
      {
        clock: options.clock ?? Date.now,
        random: options.random ?? Math.random,
        refreshMarginSeconds: checkSeconds('refreshMarginSeconds', options.refreshMarginSeconds ?? 60),
        jitterSeconds: checkSeconds('jitterSeconds', options.jitterSeconds ?? 10),
        // Whether a failure of the caller's callback is temporary is unknowable: a still-valid
        // token keeps working through any failure of its refresh.
        isTransient: () => true,
      },
    );
  }

  /**
   * The cached token, or a new one from `fetchToken` when none is cached or it is near expiry.
   *
   * @example
   * ```ts
   * const token = await tokens.getToken();
   * ```
   */
  getToken(): Promise<string> {
    return this.#cache.get();
  }

  /**
   * Drops the cached token (only if it is `token`, when given).
   *
   * @example
   * ```ts
   * tokens.invalidate(); // e.g. after the user signed out
   * ```
   */
  invalidate(token?: string): void {
    this.#cache.invalidate(token);
  }
}
