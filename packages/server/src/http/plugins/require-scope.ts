import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError } from '../../errors.ts';
import { bearerChallenge } from '../errors/render-bearer-error.ts';

/**
 * Refuses a token without the scope the route declares (`config.scope`): 403 with RFC 6750's
 * `insufficient_scope` and the scope needed, so a client knows exactly what to ask for.
 */
export function requireScope(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const needed = request.routeOptions.config.scope;
  if (needed === undefined || request.principal.scopes.has(needed)) return done();
  const description = `This request needs the ${needed} permission, which this access token does not hold`;
  done(new AppError('insufficient_scope', description, { headers: { 'www-authenticate': bearerChallenge('insufficient_scope', description, needed) } }));
}

/** Every route of the Environment API declares its scope; one that forgets must not start. */
export function assertRouteDeclaresScope(route: { method: string | string[]; url: string; config?: { scope?: string } }): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((method) => method === 'OPTIONS' || method === 'HEAD')) return;
  if (!route.config?.scope) throw new Error(`Environment API route ${methods.join(',')} ${route.url} declares no scope`);
}
