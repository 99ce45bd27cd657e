import type { FastifyInstance } from 'fastify';
import { TOKEN_PATH, type TokenEndpoint } from './token-endpoint.ts';

/**
 * Mounts the token endpoint in Fastify (every method: others get 405 with Allow: POST). The
 * request is handed over before Fastify parses a body: the endpoint reads it itself, because
 * RFC 6749 §3.2 rules (repeated and empty parameters) need the raw body.
 */
export async function tokenRoutes(app: FastifyInstance, { endpoint }: { endpoint: TokenEndpoint }): Promise<void> {
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: TOKEN_PATH,
    onRequest: (request, reply) => {
      reply.hijack();
      endpoint(request.raw, reply.raw);
    },
    handler: async () => undefined,
  });
}
