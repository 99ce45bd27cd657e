import { applyClientAuth, type ClientAuthMethod } from './client-auth.js';
import { discover, type AuthorizationServerMetadata } from './discovery.js';
import { resolveFetch, type FetchLike } from './fetch-like.js';
import { OAuthError } from './oauth-error.js';
import { discard, parseRetryAfter, realSleep, resolveRetry, sendWithRetry, timeoutSignal, type RetryContext, type RetryOptions } from './retry.js';
import { checkSeconds, TokenCache, type TokenGrant } from './token-cache.js';
import type { TokenSource } from './token-source.js';

/**
 * Options of {@link ClientCredentials}. Give `tokenUrl` (e.g. `https://lk.example.com/oauth/token`)
 * or `issuer` (e.g. `https://lk.example.com`: the token endpoint is then discovered, once).
 *
 * @example
 * ```ts
 * import type { ClientCredentialsOptions } from '@latchkey/sdk';
 * const options: ClientCredentialsOptions = {
 *   issuer: 'https://lk.example.com',
 *   clientId: process.env.LATCHKEY_CLIENT_ID!,
 *   clientSecret: process.env.LATCHKEY_CLIENT_SECRET!,
 *   scope: 'template:list template:read',
 * };
 * ```
 */
export interface ClientCredentialsOptions {
  /** The token endpoint. Wins over discovery when both this and `issuer` are given. */
  tokenUrl?: string;
  /** The issuer, for RFC 8414 discovery of the token (and revocation) endpoint. */
  issuer?: string;
  /** The integration's Client ID (public). */
  clientId: string;
  /** The integration's Client Secret (`lk_secret_…`): never the Client ID. */
  clientSecret: string;
  /** Auth0-style `audience` parameter; omitted: the server's default audience. */
  audience?: string;
  /** Down-scoping: a subset of the integration's scopes (space-delimited or a list). Omitted: all of them. */
  scope?: string | readonly string[];
  /** Client authentication (default `client_secret_basic`). */
  authMethod?: ClientAuthMethod;
  /** The revocation endpoint; default: discovery's `revocation_endpoint`, else `tokenUrl` with `/token` → `/revoke`. */
  revocationUrl?: string;
  /** The fetch to use (default `globalThis.fetch`, looked up at each call). */
  fetch?: FetchLike;
  /** Refresh this many seconds before expiry (default 60). */
  refreshMarginSeconds?: number;
  /** Plus a random 0–`jitterSeconds` per token (default 30), so many processes do not refresh at once. */
  jitterSeconds?: number;
  /** Retries on network errors, 5xx and 429 (see {@link RetryOptions}). */
  retry?: RetryOptions;
  /** Milliseconds one attempt may take, answer body included (default 30 000; 0: no limit). A timeout is retried like a network error. */
  timeoutMs?: number;
  /** Milliseconds since the epoch (default `Date.now`); tests pass a frozen clock. */
  clock?: () => number;
  /** A number in [0, 1) (default `Math.random`); tests pass a fixed one for jitter and backoff. */
  random?: () => number;
  /** Waits `ms` (default `setTimeout`); tests pass one that records delays instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A successful token response (RFC 6749 §5.1), as Latchkey sends it.
 *
 * @example
 * ```ts
 * import type { TokenResponse } from '@latchkey/sdk';
 * const reply: TokenResponse = { access_token: 'eyJ…', token_type: 'Bearer', expires_in: 86400, scope: 'template:read' };
 * ```
 */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  [member: string]: unknown;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for a back end: holds the integration's Client ID
 * and Secret, and hands out one cached access token.
 *
 * `getToken()` returns the cached token and fetches a new one `refreshMarginSeconds` (plus
 * jitter) before it expires, checked against the clock at each call; concurrent callers share one
 * request; network errors, 5xx and 429 are retried with backoff and jitter (honouring
 * `Retry-After`), a 4xx never; failures throw {@link OAuthError}.
 *
 * Keep one instance per integration and scope set for the life of the process: every instance
 * fetches its own token.
 *
 * @example
 * ```ts
 * import { ClientCredentials } from '@latchkey/sdk';
 *
 * const credentials = new ClientCredentials({
 *   tokenUrl: 'https://lk.example.com/oauth/token',
 *   clientId: process.env.LATCHKEY_CLIENT_ID!,
 *   clientSecret: process.env.LATCHKEY_CLIENT_SECRET!,
 * });
 * const token = await credentials.getToken();
 * await fetch('https://lk.example.com/grafx/api/v1/environment/demo/templates', {
 *   headers: { authorization: `Bearer ${token}` },
 * });
 * ```
 */
export class ClientCredentials implements TokenSource {
  // JavaScript private fields (not TypeScript `private`): console.log, util.inspect and
  // JSON.stringify of an instance never show the secret or the token.
  readonly #options: ClientCredentialsOptions;
  readonly #fetch: FetchLike;
  readonly #retryContext: RetryContext;
  readonly #cache: TokenCache;
  readonly #timeoutMs: number;
  #metadata: Promise<AuthorizationServerMetadata> | undefined;

  constructor(options: ClientCredentialsOptions) {
    if (!options.tokenUrl && !options.issuer) throw new TypeError('ClientCredentials needs tokenUrl or issuer');
    if (!options.clientId) throw new TypeError('ClientCredentials needs clientId');
    if (!options.clientSecret) throw new TypeError('ClientCredentials needs clientSecret');
    if (options.clientSecret === options.clientId) {
      // The mistake in the GraFx Node and Java samples: fail here, not with invalid_client later.
      throw new TypeError('clientSecret is the Client ID: pass the integration\'s Client Secret (lk_secret_…)');
    }
    if (options.authMethod && options.authMethod !== 'client_secret_basic' && options.authMethod !== 'client_secret_post') {
      throw new TypeError(`authMethod must be client_secret_basic or client_secret_post, not ${String(options.authMethod)}`);
    }
    this.#options = { ...options };
    const clock = options.clock ?? Date.now;
    const random = options.random ?? Math.random;
    this.#fetch = resolveFetch(options.fetch);
    this.#timeoutMs = checkSeconds('timeoutMs', options.timeoutMs ?? 30_000);
    this.#retryContext = { retry: resolveRetry(options.retry), clock, random, sleep: options.sleep ?? realSleep };
    this.#cache = new TokenCache(() => this.#requestToken(), {
      clock,
      random,
      refreshMarginSeconds: checkSeconds('refreshMarginSeconds', options.refreshMarginSeconds ?? 60),
      jitterSeconds: checkSeconds('jitterSeconds', options.jitterSeconds ?? 30),
      isTransient: (error) => error instanceof OAuthError && error.transient,
    });
  }

  /**
   * The access token: the cached one, or a new one when none is cached or it is within the
   * refresh margin of its expiry. Throws {@link OAuthError}.
   *
   * @example
   * ```ts
   * const authorization = `Bearer ${await credentials.getToken()}`;
   * ```
   */
  getToken(): Promise<string> {
    return this.#cache.get();
  }

  /**
   * Drops the cached token (only if it is `token`, when given) so the next `getToken()` asks the
   * server. `createAuthFetch` calls this after a 401.
   *
   * @example
   * ```ts
   * const token = await credentials.getToken();
   * const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
   * if (response.status === 401) credentials.invalidate(token);
   * ```
   */
  invalidate(token?: string): void {
    this.#cache.invalidate(token);
  }

  /**
   * Revokes a token at the server (RFC 7009) — by default the cached one — and drops it from the
   * cache. Resolves without a request when there is nothing to revoke. The endpoint is
   * `revocationUrl`, else discovery's `revocation_endpoint`, else `tokenUrl` with its final
   * `/token` replaced by `/revoke`.
   *
   * @example
   * ```ts
   * // On shutdown of a job whose token may have leaked into its logs:
   * await credentials.revoke();
   * ```
   */
  async revoke(token: string | undefined = this.#cache.peek()): Promise<void> {
    if (!token) return;
    const endpoint = await this.#revocationEndpoint();
    const body = new URLSearchParams({ token, token_type_hint: 'access_token' });
    const response = await this.#post(endpoint, body);
    // RFC 7009 §2.2: 200 whether or not the token was valid.
    if (!response.ok) throw await oauthErrorFrom(response, this.#retryContext.clock());
    await discard(response);
    this.#cache.invalidate(token);
  }

  /**
   * The token endpoint in use (`tokenUrl`, or discovered from `issuer`).
   *
   * @example
   * ```ts
   * console.log('tokens from', await credentials.tokenEndpoint());
   * ```
   */
  async tokenEndpoint(): Promise<string> {
    if (this.#options.tokenUrl) return this.#options.tokenUrl;
    return (await this.#discover()).token_endpoint;
  }

  #discover(): Promise<AuthorizationServerMetadata> {
    if (!this.#metadata) {
      const pending = discover(this.#options.issuer!, this.#fetch, this.#retryContext, this.#timeoutMs);
      this.#metadata = pending;
      // A failure is not cached: the next call discovers again.
      pending.catch(() => {
        if (this.#metadata === pending) this.#metadata = undefined;
      });
    }
    return this.#metadata;
  }

  async #revocationEndpoint(): Promise<string> {
    if (this.#options.revocationUrl) return this.#options.revocationUrl;
    if (!this.#options.tokenUrl) {
      const metadata = await this.#discover();
      if (typeof metadata.revocation_endpoint === 'string') return metadata.revocation_endpoint;
    }
    const tokenUrl = new URL(await this.tokenEndpoint());
    if (!/\/token$/.test(tokenUrl.pathname)) {
      throw new TypeError(`Cannot derive a revocation endpoint from ${tokenUrl.href}: pass revocationUrl`);
    }
    tokenUrl.pathname = tokenUrl.pathname.replace(/\/token$/, '/revoke');
    return tokenUrl.href;
  }

  #post(url: string, body: URLSearchParams): Promise<Response> {
    const { clientId, clientSecret, authMethod = 'client_secret_basic' } = this.#options;
    return sendWithRetry(() => {
      // Built per attempt: a body is consumed by each send.
      const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
      const form = new URLSearchParams(body);
      applyClientAuth(authMethod, clientId, clientSecret, headers, form);
      // Credentials never follow a redirect: a 3xx is reported (see oauthErrorFrom), not obeyed.
      return this.#fetch(url, { method: 'POST', headers, body: form.toString(), redirect: 'manual', ...timeoutSignal(this.#timeoutMs) });
    }, this.#retryContext);
  }

  async #requestToken(): Promise<TokenGrant> {
    const endpoint = await this.tokenEndpoint();
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.#options.audience) body.set('audience', this.#options.audience);
    const scope = typeof this.#options.scope === 'string' ? this.#options.scope.trim() : this.#options.scope?.join(' ');
    if (scope) body.set('scope', scope);
    const response = await this.#post(endpoint, body);
    if (!response.ok) throw await oauthErrorFrom(response, this.#retryContext.clock());
    let reply: Partial<TokenResponse>;
    try {
      reply = (await response.json()) as Partial<TokenResponse>;
    } catch (cause) {
      throw new OAuthError({ error: 'invalid_response', error_description: 'the token response is not JSON', status: response.status, cause });
    }
    if (typeof reply?.access_token !== 'string' || !reply.access_token) {
      throw new OAuthError({ error: 'invalid_response', error_description: 'the token response has no access_token', status: response.status });
    }
    if (typeof reply.token_type !== 'string' || reply.token_type.toLowerCase() !== 'bearer') {
      // RFC 6749 §7.1: a client must not use a token type it does not understand.
      throw new OAuthError({ error: 'invalid_response', error_description: `unsupported token_type ${JSON.stringify(reply.token_type)}`, status: response.status });
    }
    const expiresIn = typeof reply.expires_in === 'number' && Number.isFinite(reply.expires_in) ? reply.expires_in : undefined;
    return { accessToken: reply.access_token, expiresIn };
  }
}

/** An RFC 6749 §5.2 error response (or whatever a proxy put there) as an OAuthError. */
async function oauthErrorFrom(response: Response, now: number): Promise<OAuthError> {
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    await discard(response);
    const location = response.headers.get('location');
    return new OAuthError({
      error: 'invalid_response',
      status: response.status,
      error_description: `the endpoint redirected${location ? ` to ${location}` : ''}; configure the final URL (credentials are never sent after a redirect)`,
    });
  }
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The body could not be read: the status still says what happened.
  }
  let body: { error?: unknown; error_description?: unknown } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
  const error =
    typeof body?.error === 'string' && body.error
      ? body.error
      : response.status === 429
        ? 'too_many_requests'
        : response.status >= 500
          ? 'server_error'
          : 'invalid_response';
  const description =
    typeof body?.error_description === 'string' ? body.error_description : text && typeof body?.error !== 'string' ? text.slice(0, 200) : undefined;
  return new OAuthError({
    error,
    status: response.status,
    ...(description !== undefined ? { error_description: description } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}
