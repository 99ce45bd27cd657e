import { ApiError } from './api-error.js';
import type { FetchLike } from './fetch-like.js';

/** @internal */
export type QueryValue = string | number | boolean | undefined | null;
/** @internal */
export type Query = Record<string, QueryValue>;

/** @internal */
export interface RequestOptions {
  query?: Query | URLSearchParams;
  /** Sent as `application/json` (a string is sent as is: already-serialised JSON). */
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/**
 * `https://host` or `https://host/prefix` → `…/grafx/api/v1/environment/{env}/`; a base that
 * already ends with `/grafx/api/v1` gets only the environment part.
 *
 * @internal
 */
export function environmentBaseUrl(baseUrl: string, environment: string): string {
  if (!environment) throw new TypeError('EnvironmentApi needs environment');
  const url = new URL(baseUrl); // Throws on a relative URL: fetch in Node needs an absolute one.
  url.search = '';
  url.hash = '';
  let path = url.pathname.replace(/\/+$/, '');
  if (!/\/grafx\/api\/v1$/.test(path)) path += '/grafx/api/v1';
  url.pathname = `${path}/environment/${encodeURIComponent(environment)}/`;
  return url.href;
}

/** Joins path segments, each percent-encoded (an id can never reach another route). @internal */
export function segments(...parts: string[]): string {
  return parts.map((part) => encodeURIComponent(part)).join('/');
}

/**
 * Sends Environment API requests relative to one environment's base URL through an
 * authenticated fetch, and turns every non-2xx answer into an {@link ApiError}.
 *
 * @internal
 */
export class ApiTransport {
  constructor(
    readonly base: string,
    private readonly fetch: FetchLike,
  ) {}

  url(path: string, query?: Query | URLSearchParams): URL {
    const url = new URL(path, this.base);
    if (query) {
      const entries = query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query);
      for (const [name, value] of entries) {
        if (value === undefined || value === null || value === '') continue;
        url.searchParams.set(name, String(value));
      }
    }
    return url;
  }

  /** The response of a successful request (2xx); anything else throws {@link ApiError}. */
  async send(method: string, target: string | URL, options: RequestOptions = {}): Promise<Response> {
    const url = typeof target === 'string' ? this.url(target, options.query) : target;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      body = typeof options.json === 'string' ? options.json : JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    const response = await this.fetch(url.href, { method, headers, ...(body !== undefined ? { body } : {}) });
    if (!response.ok) throw await ApiError.fromResponse(response, method, url.href);
    return response;
  }

  /** The parsed JSON body of a successful request; `undefined` for 204 or an empty body. */
  async json<T>(method: string, target: string | URL, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, target, options);
    const text = await response.text();
    if (response.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError({
        status: response.status,
        method,
        url: response.url || String(target),
        body: text.slice(0, 1000),
        message: `${method} ${response.url || String(target)} answered ${response.status} with a body that is not JSON`,
      });
    }
  }
}

/**
 * `{data: X, links}` → `X`: single media and template items come wrapped, projects and created
 * objects bare (SPEC §4); either is accepted, so a resource whose shape differs still works.
 *
 * @internal
 */
export function unwrap<T>(body: unknown): T {
  if (body && typeof body === 'object' && !Array.isArray(body) && !('id' in body) && 'data' in body) {
    const data = (body as { data: unknown }).data;
    if (data && typeof data === 'object' && !Array.isArray(data)) return data as T;
  }
  return body as T;
}
