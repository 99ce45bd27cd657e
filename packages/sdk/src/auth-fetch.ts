import { resolveFetch, type FetchLike } from './fetch-like.js';
import { discard } from './retry.js';
import type { TokenSource } from './token-source.js';

/**
 * Options of {@link createAuthFetch}.
 *
 * @example
 * ```ts
 * import { createAuthFetch, type AuthFetchOptions } from '@latchkey/sdk';
 * const options: AuthFetchOptions = { fetch: globalThis.fetch };
 * const authFetch = createAuthFetch(credentials, options);
 * ```
 */
export interface AuthFetchOptions {
  /** The fetch that sends the requests (default `globalThis.fetch`, looked up at each call). */
  fetch?: FetchLike;
}

/**
 * Whether a request body can be sent a second time. Strings, buffers, URLSearchParams, FormData
 * and Blobs can; a ReadableStream (or anything unknown) was consumed by the first attempt.
 */
function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    (typeof FormData !== 'undefined' && body instanceof FormData) ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  );
}

/**
 * A `fetch` that sends `Authorization: Bearer <token>` with every request, the token coming from
 * `credentials` (a {@link ClientCredentials}, a {@link BrowserTokenSource} or any
 * {@link TokenSource}). After a 401 it invalidates that token, gets a new one and retries once —
 * when the request can be replayed: no body, or a string, ArrayBuffer, typed array,
 * URLSearchParams, FormData or Blob body given in `init`. A ReadableStream body, or a `Request`
 * object carrying a body, is sent once and its 401 returned as is.
 *
 * It adds the token to every URL it is given: use it only for the API the token is meant for.
 *
 * @example
 * ```ts
 * import { ClientCredentials, createAuthFetch } from '@latchkey/sdk';
 *
 * const credentials = new ClientCredentials({ issuer: 'https://lk.example.com', clientId, clientSecret });
 * const authFetch = createAuthFetch(credentials);
 * const response = await authFetch('https://lk.example.com/grafx/api/v1/environment/demo/templates');
 * const { data } = await response.json();
 * ```
 */
export function createAuthFetch(credentials: TokenSource, options: AuthFetchOptions = {}): FetchLike {
  const fetch = resolveFetch(options.fetch);
  const isRequest = (input: unknown): input is Request => typeof Request !== 'undefined' && input instanceof Request;
  const send = (input: RequestInfo | URL, init: RequestInit | undefined, token: string) => {
    const headers = new Headers(init?.headers ?? (isRequest(input) ? input.headers : undefined));
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  return async (input, init) => {
    const token = await credentials.getToken();
    const response = await send(input, init, token);
    if (response.status !== 401) return response;
    const bodyInRequest = isRequest(input) && input.body !== null && init?.body === undefined;
    if (bodyInRequest || !isReplayable(init?.body)) return response;
    await discard(response);
    credentials.invalidate?.(token);
    return send(input, init, await credentials.getToken());
  };
}
