import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Services } from '../../services.ts';
import { readClientCredentials } from '../tokens/client-auth.ts';
import { parseTokenBody, refuseQueryCredentials, TOKEN_MANAGEMENT_REQUEST } from '../tokens/token-request.ts';

export const INTROSPECTION_PATH = '/oauth/introspect';
export const REVOCATION_PATH = '/oauth/revoke';
const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Introspection (RFC 7662) and revocation (RFC 7009): same body rules, same client
 * authentication and throttling, same error format as the token endpoint.
 */
export async function tokenManagementRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const authenticated = async (request: FastifyRequest) => {
    refuseQueryCredentials(request.url);
    const params = parseTokenBody(request.headers['content-type'], typeof request.body === 'string' ? request.body : '', TOKEN_MANAGEMENT_REQUEST);
    const credentials = readClientCredentials(request.headers.authorization, params);
    const client = await services.clientAuthentication.run(request.ip, credentials);
    // RFC 7662 §2.1, RFC 7009 §2.1: `token` is required; `token_type_hint` is only a hint.
    if (params.token === undefined) throw new AppError('invalid_request', 'The token parameter is required.');
    return { client, token: params.token };
  };

  app.post(INTROSPECTION_PATH, async (request, reply) => {
    const { client, token } = await authenticated(request);
    const body = await services.revocation.introspect(client, token);
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json; charset=utf-8').send(JSON.stringify(body));
  });

  app.post(REVOCATION_PATH, async (request, reply) => {
    const { client, token } = await authenticated(request);
    await services.revocation.revoke(client, token);
    // RFC 7009 §2.2: 200, and the content of the body is ignored by the client.
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json; charset=utf-8').send('{}');
  });

  for (const url of [INTROSPECTION_PATH, REVOCATION_PATH]) {
    app.route({
      method: [...OTHER_METHODS],
      url,
      handler: async () => {
        throw new AppError('invalid_request', 'This endpoint accepts POST only.', { status: 405, headers: { allow: 'POST' } });
      },
    });
  }
}
