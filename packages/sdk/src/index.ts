/**
 * `@latchkey/sdk`: OAuth 2.0 client credentials, an authenticated fetch, a browser token source
 * for the read-only pattern, and a typed Environment API client. No runtime dependencies: it
 * needs only `fetch` (Node ≥ 20, browsers, Deno, Bun, workers).
 *
 * @example
 * ```ts
 * import { ClientCredentials, EnvironmentApi } from '@latchkey/sdk';
 * const credentials = new ClientCredentials({ issuer: 'https://lk.example.com', clientId, clientSecret });
 * const api = new EnvironmentApi({ baseUrl: 'https://lk.example.com', environment: 'demo', credentials });
 * ```
 *
 * @packageDocumentation
 */
export { ClientCredentials, type ClientCredentialsOptions, type TokenResponse } from './client-credentials.js';
export type { ClientAuthMethod } from './client-auth.js';
export type { AuthorizationServerMetadata } from './discovery.js';
export type { RetryOptions } from './retry.js';
export type { TokenSource } from './token-source.js';
export type { FetchLike } from './fetch-like.js';
export { createAuthFetch, type AuthFetchOptions } from './auth-fetch.js';
export { BrowserTokenSource, type BrowserToken, type BrowserTokenSourceOptions } from './browser-token-source.js';
export { OAuthError, type OAuthErrorCode, type OAuthErrorInit } from './oauth-error.js';
export { ApiError, type ApiErrorInit, type ProblemDetails } from './api-error.js';
export { EnvironmentApi, type EnvironmentApiOptions } from './environment-api.js';
export { ListResource } from './list-resource.js';
export { TemplatesResource } from './templates.resource.js';
export { TemplateCollectionsResource } from './template-collections.resource.js';
export { ProjectsResource } from './projects.resource.js';
export { MediaResource, type PreviewOptions } from './media.resource.js';
export { FontFamiliesResource, FontStylesResource, type FontUploadOptions, type FontUploadResult } from './fonts.resource.js';
export type {
  FontFamily,
  FontStyle,
  FontStyleCorrection,
  FontUploadBatch,
  Item,
  ListQuery,
  MediaItem,
  NamedBlob,
  Page,
  PreloadedFontStyle,
  PreviewType,
  Project,
  TemplateCollection,
  TemplateDocument,
  TemplateItem,
} from './api-types.js';
