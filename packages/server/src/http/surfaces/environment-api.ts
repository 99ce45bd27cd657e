import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { reportError } from '../errors/report.ts';
import { contentRoutes } from '../../modules/content/content.routes.ts';
import type { Services } from '../../services.ts';
import { sendBearerProblem } from '../errors/render-bearer-error.ts';
import { bearerAuth } from '../plugins/bearer-auth.ts';
import { declaredScope } from '../plugins/require-scope.ts';

export const ENVIRONMENT_API_PREFIX = '/grafx/api/v1/environment';

/**
 * The Environment API (SPEC §4), wire-compatible with GraFx's: every route behind one bearer
 * authentication hook and its own scope, errors as RFC 9457 problems with RFC 6750 challenges.
 * Mounted at ENVIRONMENT_API_PREFIX; resources live under `/:environment`.
 */
export async function environmentApiSurface(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.setErrorHandler((error, request, reply) => {
    return sendBearerProblem(reply, reportError(error, request.log, services.health));
  });
  app.setNotFoundHandler((request, reply) =>
    sendBearerProblem(reply, new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
  if (services.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: services.config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'Range'],
      exposedHeaders: ['WWW-Authenticate', 'ETag', 'Content-Disposition', 'Content-Range', 'Accept-Ranges', 'Retry-After'],
      maxAge: 600,
    });
  }
  app.decorateRequest('principal', null as never);
  // Every route gets the authentication hook for the scope it declares (HEAD routes Fastify adds
  // for GETs included); a route that declares none does not start. Only CORS preflights are open.
  app.addHook('onRoute', (route) => {
    const scope = declaredScope(route);
    if (scope === null) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [bearerAuth(services.accessTokens, scope), ...existing];
  });
  await app.register(contentRoutes, { prefix: '/:environment', content: services.content, issuer: services.config.issuer });
}
