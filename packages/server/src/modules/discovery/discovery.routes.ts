import { SCOPES } from '@latchkey/contract';
import type { FastifyInstance } from 'fastify';
import { JWKS_MAX_AGE_SECONDS, type SigningKeysService } from '../keys/signing-keys.service.ts';

/**
 * RFC 8414 metadata and the OpenID discovery document, so standard clients (openid-client,
 * oauth4webapi) and verifiers (jose, express-oauth2-jwt-bearer) work from the issuer alone.
 */
export async function discoveryRoutes(app: FastifyInstance, { issuer, keys }: { issuer: string; keys: SigningKeysService }): Promise<void> {
  const metadata = () => {
    // Auth0's verifier reads this list as its allowed algorithms: every published key's alg.
    const algs = [...new Set(keys.published().map((key) => key.alg))];
    return {
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      // RFC 7662 and RFC 7009, with the token endpoint's client authentication.
      introspection_endpoint: `${issuer}/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint: `${issuer}/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [...SCOPES],
      // No authorization endpoint: client credentials only (RFC 8414 asks for the member).
      response_types_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
      access_token_signing_alg_values_supported: algs,
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'azp', 'scope', 'gty', 'environment', 'integration_id'],
    };
  };
  const send = async (_request: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).header('access-control-allow-origin', '*').send(metadata());
  app.get('/.well-known/oauth-authorization-server', send);
  app.get('/.well-known/openid-configuration', send);

  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      .header('access-control-allow-origin', '*')
      .send(keys.jwks()),
  );
}
