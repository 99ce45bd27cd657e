import { parseChallenge } from './www-authenticate.js';

/**
 * An RFC 9457 problem details body, as the Environment API answers errors
 * (`application/problem+json`). Other members a server adds are kept.
 *
 * @example
 * ```ts
 * import type { ProblemDetails } from '@latchkey/sdk';
 * const problem: ProblemDetails = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No template abc' };
 * ```
 */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [member: string]: unknown;
}

/**
 * What {@link ApiError}'s constructor takes.
 *
 * @example
 * ```ts
 * import { ApiError, type ApiErrorInit } from '@latchkey/sdk';
 * const init: ApiErrorInit = { status: 404, method: 'GET', url: 'https://lk.example.com/grafx/api/v1/environment/demo/templates/x' };
 * throw new ApiError(init);
 * ```
 */
export interface ApiErrorInit {
  status: number;
  method: string;
  url: string;
  problem?: ProblemDetails;
  body?: string;
  requiredScope?: string;
  errorCode?: string;
  errorDescription?: string;
  message?: string;
}

/**
 * A refused Environment API request (any non-2xx answer).
 *
 * - `problem`: the RFC 9457 body `{type, title, status, detail}` when the answer was JSON;
 * - `requiredScope`: on 403 `insufficient_scope`, the scope the route needs, read from
 *   `WWW-Authenticate: Bearer error="insufficient_scope", scope="media:write"` (RFC 6750 §3);
 * - `errorCode` / `errorDescription`: the RFC 6750 `error` and `error_description` of the
 *   `WWW-Authenticate` challenge (`invalid_token` on a 401, `insufficient_scope` on a 403).
 *
 * @example
 * ```ts
 * import { ApiError } from '@latchkey/sdk';
 * try {
 *   await api.media.upload({ file, name: 'logo.png' });
 * } catch (error) {
 *   if (error instanceof ApiError && error.requiredScope) {
 *     console.error(`This integration needs the ${error.requiredScope} permission`);
 *   } else throw error;
 * }
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly problem: ProblemDetails | undefined;
  /** The raw body when it was not JSON (truncated to 1000 characters). */
  readonly body: string | undefined;
  readonly requiredScope: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorDescription: string | undefined;

  constructor(init: ApiErrorInit) {
    const reason = init.problem?.detail ?? init.problem?.title ?? init.errorDescription ?? init.body ?? '';
    const scope = init.requiredScope && !reason.includes(init.requiredScope) ? ` (needs scope ${init.requiredScope})` : '';
    super(init.message ?? `${init.method} ${init.url} answered ${init.status}${reason ? `: ${reason}` : ''}${scope}`);
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.problem = init.problem;
    this.body = init.body;
    this.requiredScope = init.requiredScope;
    this.errorCode = init.errorCode;
    this.errorDescription = init.errorDescription;
  }

  /**
   * Builds the error from a refused response, reading its body (problem details when JSON)
   * and its `WWW-Authenticate` Bearer challenge.
   *
   * @example
   * ```ts
   * const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
   * if (!response.ok) throw await ApiError.fromResponse(response, 'GET', url);
   * ```
   */
  static async fromResponse(response: Response, method: string, url: string = response.url): Promise<ApiError> {
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The body could not be read (connection dropped): the status still says what happened.
    }
    let problem: ProblemDetails | undefined;
    if (text) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) problem = parsed as ProblemDetails;
      } catch {
        // Not JSON: kept as `body`.
      }
    }
    const challenge = parseChallenge(response.headers.get('www-authenticate'), 'Bearer');
    const errorCode = challenge?.error;
    return new ApiError({
      status: response.status,
      method,
      url,
      ...(problem ? { problem } : text ? { body: text.slice(0, 1000) } : {}),
      ...(errorCode ? { errorCode } : {}),
      ...(challenge?.error_description ? { errorDescription: challenge.error_description } : {}),
      ...(errorCode === 'insufficient_scope' && challenge?.scope ? { requiredScope: challenge.scope } : {}),
    });
  }
}
