import type { FastifyInstance } from 'fastify';
import { reportError } from '../errors/report.ts';
import { discoveryRoutes } from '../../modules/discovery/discovery.routes.ts';
import { tokenManagementRoutes } from '../../modules/oauth/token-management.routes.ts';
import { TOKEN_BODY_LIMIT, type TokenEndpoint } from '../../modules/tokens/token-endpoint.ts';
import { tokenRoutes } from '../../modules/tokens/token.routes.ts';
import type { Services } from '../../services.ts';
import { sendOAuthError } from '../errors/render-oauth-error.ts';

/**
 * The authorization server: token (its fast path lives in the server factory), introspection,
 * revocation, discovery and JWKS. Errors speak RFC 6749 §5.2.
 */
export async function oauthSurface(app: FastifyInstance, { services, tokenEndpoint }: { services: Services; tokenEndpoint: TokenEndpoint }): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    return sendOAuthError(reply, reportError(error, request.log, services.health));
  });
  // RFC 6749 §3.2 rules (repeated and empty parameters) need the raw body: every content type is
  // read as text, and the endpoint parses it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT }, (_request, body, done) => done(null, body));

  await app.register(tokenRoutes, { endpoint: tokenEndpoint });
  await app.register(tokenManagementRoutes, { services });
  await app.register(discoveryRoutes, { issuer: services.config.issuer, keys: services.signingKeys });
}
