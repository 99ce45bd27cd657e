import type { FetchLike } from './fetch-like.js';
import { OAuthError } from './oauth-error.js';
import { discard, sendWithRetry, timeoutSignal, type RetryContext } from './retry.js';

/**
 * The members of RFC 8414 authorization server metadata the SDK reads (others are kept).
 *
 * @example
 * ```ts
 * import type { AuthorizationServerMetadata } from '@latchkey/sdk';
 * const metadata: AuthorizationServerMetadata = {
 *   issuer: 'https://lk.example.com',
 *   token_endpoint: 'https://lk.example.com/oauth/token',
 * };
 * ```
 */
export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  introspection_endpoint?: string;
  jwks_uri?: string;
  [member: string]: unknown;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

/**
 * Where the metadata may live, in order: RFC 8414 §3.1 (the well-known segment inserted before
 * the issuer's path), the same appended to the issuer (what many servers actually do when the
 * issuer has a path), then OpenID Connect Discovery 1.0 §4 (appended). For an issuer without a
 * path the first two are one URL.
 */
function candidates(issuer: string): string[] {
  const url = new URL(issuer);
  const path = trimSlashes(url.pathname);
  const list = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${trimSlashes(issuer)}/.well-known/oauth-authorization-server`,
    `${trimSlashes(issuer)}/.well-known/openid-configuration`,
  ];
  return [...new Set(list)];
}

/**
 * Reads the issuer's metadata. A 404 (or any 4xx) at one location tries the next; network
 * errors, 5xx and 429 are retried per {@link RetryContext}. RFC 8414 §3.3: the document's
 * `issuer` must be the issuer asked for (compared without trailing slashes), or it is refused.
 *
 * @internal
 */
export async function discover(issuer: string, fetch: FetchLike, context: RetryContext, timeoutMs = 0): Promise<AuthorizationServerMetadata> {
  const tried: string[] = [];
  for (const url of candidates(issuer)) {
    const response = await sendWithRetry(() => fetch(url, { headers: { accept: 'application/json' }, ...timeoutSignal(timeoutMs) }), context);
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      tried.push(`${url} → ${response.status}`);
      await discard(response);
      continue;
    }
    if (!response.ok) {
      throw new OAuthError({ error: 'discovery_failed', error_description: `${url} answered ${response.status}`, status: response.status });
    }
    let metadata: Partial<AuthorizationServerMetadata>;
    try {
      metadata = (await response.json()) as Partial<AuthorizationServerMetadata>;
    } catch (cause) {
      throw new OAuthError({ error: 'discovery_failed', error_description: `${url} did not answer JSON`, status: response.status, cause });
    }
    if (typeof metadata?.issuer !== 'string' || trimSlashes(metadata.issuer) !== trimSlashes(issuer)) {
      throw new OAuthError({
        error: 'discovery_failed',
        error_description: `${url} names issuer ${JSON.stringify(metadata?.issuer)}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3)`,
        status: response.status,
      });
    }
    if (typeof metadata.token_endpoint !== 'string') {
      throw new OAuthError({ error: 'discovery_failed', error_description: `${url} has no token_endpoint`, status: response.status });
    }
    return metadata as AuthorizationServerMetadata;
  }
  throw new OAuthError({ error: 'discovery_failed', error_description: `no metadata found: ${tried.join(', ')}` });
}
