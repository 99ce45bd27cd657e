// The one door to the management API: same-origin fetch with the session cookie, the CSRF header
// on every state-changing request, and every failure turned into an ApiError the screens can
// explain. Nothing here is stored outside memory: the CSRF token comes back from GET /me after
// a reload, and secrets never touch localStorage.

export const API_BASE = '/api/v1';

/** A failed request: the API's problem `{error, message, details?}`, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onSessionEnded: (() => void) | null = null;

/** Set at sign-in and from GET /me; cleared at sign-out. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request that needed the session answers 401 (the session expired or was revoked). */
export function onUnauthorized(listener: (() => void) | null): void {
  onSessionEnded = listener;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** A 401 here is an answer (a wrong password, no session yet), not a session that ended. */
  expectUnauthorized?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A query string without empty values: the API treats an empty parameter as a mistake. */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const url = path.startsWith('/') && !path.startsWith(API_BASE) && !path.startsWith('/.well-known') && !path.startsWith('/console/') ? API_BASE + path : path;

  let response: Response;
  try {
    response = await fetch(url + queryString(options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }

  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;

  const problem = (body && typeof body === 'object' ? body : {}) as { error?: unknown; message?: unknown; details?: unknown };
  const retryAfter = Number(response.headers.get('retry-after'));
  const error = new ApiError(
    response.status,
    typeof problem.error === 'string' ? problem.error : `http_${response.status}`,
    typeof problem.message === 'string' ? problem.message : response.statusText || `HTTP ${response.status}`,
    Array.isArray(problem.details) ? problem.details.filter((d): d is string => typeof d === 'string') : [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
  if (response.status === 401 && !options.expectUnauthorized) onSessionEnded?.();
  throw error;
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body: body ?? {} });
export const patch = <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body });
export const put = <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body });
export const del = <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options);

/** Path segments are ids from the API, but never trust them to be URL-safe. */
export const seg = (value: string) => encodeURIComponent(value);
