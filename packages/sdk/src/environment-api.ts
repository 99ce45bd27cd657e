import { createAuthFetch } from './auth-fetch.js';
import { ApiTransport, environmentBaseUrl, type RequestOptions } from './api-transport.js';
import { resolveFetch, type FetchLike } from './fetch-like.js';
import { FontFamiliesResource, FontStylesResource } from './fonts.resource.js';
import { MediaResource } from './media.resource.js';
import { ProjectsResource } from './projects.resource.js';
import { realSleep } from './retry.js';
import { TemplateCollectionsResource } from './template-collections.resource.js';
import { TemplatesResource } from './templates.resource.js';
import type { TokenSource } from './token-source.js';

/**
 * Options of {@link EnvironmentApi}. `baseUrl` is the server's root (`https://lk.example.com`);
 * one that already ends with `/grafx/api/v1` is accepted too. Requests go to
 * `${baseUrl}/grafx/api/v1/environment/${environment}/…`. Tokens come from `credentials` (any
 * {@link TokenSource}) or a bare `getToken` function.
 *
 * @example
 * ```ts
 * import type { EnvironmentApiOptions } from '@latchkey/sdk';
 * const options: EnvironmentApiOptions = { baseUrl: 'https://lk.example.com', environment: 'demo', credentials };
 * ```
 */
export interface EnvironmentApiOptions {
  baseUrl: string;
  environment: string;
  credentials?: TokenSource;
  getToken?: () => Promise<string>;
  /** The fetch that sends API requests (default `globalThis.fetch`, looked up at each call). */
  fetch?: FetchLike;
  /** Waits `ms` between preview polls (default `setTimeout`); tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A typed client of the Environment API (GraFx-compatible), one object per resource. Every
 * request carries a bearer token from `credentials`; a 401 refreshes it and retries once (see
 * {@link createAuthFetch}); any other refusal throws {@link ApiError}.
 *
 * @example
 * ```ts
 * import { ClientCredentials, EnvironmentApi } from '@latchkey/sdk';
 *
 * const credentials = new ClientCredentials({
 *   issuer: 'https://lk.example.com',
 *   clientId: process.env.LATCHKEY_CLIENT_ID!,
 *   clientSecret: process.env.LATCHKEY_CLIENT_SECRET!,
 * });
 * const api = new EnvironmentApi({ baseUrl: 'https://lk.example.com', environment: 'demo', credentials });
 *
 * for await (const template of api.templates.list({ sortBy: 'name' })) console.log(template.id, template.name);
 * const project = await api.projects.create({ templateId: 'tpl_123', name: 'Flyer for Ann' });
 * ```
 */
export class EnvironmentApi {
  /** The environment's base URL (`…/grafx/api/v1/environment/{environment}/`). */
  readonly url: string;
  readonly templates: TemplatesResource;
  readonly templateCollections: TemplateCollectionsResource;
  readonly projects: ProjectsResource;
  readonly media: MediaResource;
  readonly fontFamilies: FontFamiliesResource;
  readonly fontStyles: FontStylesResource;
  private readonly transport: ApiTransport;

  constructor(options: EnvironmentApiOptions) {
    const source: TokenSource | undefined = options.credentials ?? (options.getToken ? { getToken: options.getToken } : undefined);
    if (!source) throw new TypeError('EnvironmentApi needs credentials (a TokenSource) or getToken');
    this.url = environmentBaseUrl(options.baseUrl, options.environment);
    this.transport = new ApiTransport(this.url, createAuthFetch(source, { fetch: resolveFetch(options.fetch) }));
    this.templates = new TemplatesResource(this.transport);
    this.templateCollections = new TemplateCollectionsResource(this.transport);
    this.projects = new ProjectsResource(this.transport);
    this.media = new MediaResource(this.transport, options.sleep ?? realSleep);
    this.fontFamilies = new FontFamiliesResource(this.transport);
    this.fontStyles = new FontStylesResource(this.transport);
  }

  /**
   * Any route of the environment the typed resources do not cover: `path` is relative to
   * {@link EnvironmentApi.url}; the answer's JSON (or `undefined` for 204). Throws
   * {@link ApiError}.
   *
   * @example
   * ```ts
   * const page = await api.request<{ data: unknown[] }>('GET', 'templates', { query: { limit: 5 } });
   * ```
   */
  request<T = unknown>(method: string, path: string, options: { query?: Record<string, string | number | boolean | undefined>; json?: unknown; body?: BodyInit } = {}): Promise<T> {
    // A leading slash would resolve against the host's root, leaving the environment.
    return this.transport.json<T>(method, path.replace(/^\/+/, ''), options as RequestOptions);
  }
}
