/**
 * The error codes an {@link OAuthError} carries: the RFC 6749 §5.2 / RFC 7009 / RFC 8707 codes a
 * server sends, plus four the SDK itself raises when no OAuth error body exists:
 *
 * - `network_error`: the request never got an HTTP answer (after every retry);
 * - `server_error`: a 5xx without an OAuth error body (after every retry);
 * - `invalid_response`: a 2xx whose body is not a usable token or metadata document;
 * - `discovery_failed`: no authorization server metadata could be read from the issuer.
 *
 * The union is open (`string & {}`) because servers may define their own codes; switch on the
 * known ones and treat anything else as a failure.
 *
 * @example
 * ```ts
 * import type { OAuthErrorCode } from '@latchkey/sdk';
 * const retryable: OAuthErrorCode[] = ['network_error', 'server_error', 'too_many_requests'];
 * ```
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'too_many_requests'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'network_error'
  | 'invalid_response'
  | 'discovery_failed'
  | (string & {});

/**
 * What {@link OAuthError}'s constructor takes.
 *
 * @example
 * ```ts
 * import { OAuthError, type OAuthErrorInit } from '@latchkey/sdk';
 * const init: OAuthErrorInit = { error: 'invalid_client', error_description: 'Client authentication failed.', status: 401 };
 * throw new OAuthError(init);
 * ```
 */
export interface OAuthErrorInit {
  error: OAuthErrorCode;
  error_description?: string;
  status?: number;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * A failed request to the token, discovery or revocation endpoint (RFC 6749 §5.2 error
 * response, a network failure, or an unusable answer).
 *
 * @example
 * ```ts
 * import { ClientCredentials, OAuthError } from '@latchkey/sdk';
 * const credentials = new ClientCredentials({ tokenUrl, clientId, clientSecret });
 * try {
 *   await credentials.getToken();
 * } catch (error) {
 *   if (error instanceof OAuthError && error.error === 'invalid_client') {
 *     console.error('Check LATCHKEY_CLIENT_SECRET:', error.error_description);
 *   } else throw error;
 * }
 * ```
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /** The RFC 6749 §5.2 `error` code, or one of the SDK's own (see {@link OAuthErrorCode}). */
  readonly error: OAuthErrorCode;
  /** The server's human-readable `error_description`, when it sent one. */
  readonly error_description: string | undefined;
  /** The HTTP status of the last answer; `undefined` when no answer came (`network_error`). */
  readonly status: number | undefined;
  /** From a `Retry-After` header the SDK did not wait for (it exceeded `retry.maxDelayMs`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: OAuthErrorInit) {
    const suffix = init.error_description ? `: ${init.error_description}` : '';
    super(`${init.error}${suffix}${init.status !== undefined ? ` (HTTP ${init.status})` : ''}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.error = init.error;
    this.error_description = init.error_description;
    this.status = init.status;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /**
   * Whether trying again later may succeed: no answer, a 5xx, or 429. A 4xx is the request's
   * own fault (RFC 6749 §5.2) and will fail the same way again.
   *
   * @example
   * ```ts
   * catch (error) {
   *   if (error instanceof OAuthError && !error.transient) alertOperator(error); // configuration, not weather
   * }
   * ```
   */
  get transient(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }
}
