import type { Scope } from '@latchkey/contract';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { bearerChallenge } from '../errors/render-bearer-error.ts';

/**
 * Refuses a token without the scope the route declares (`config.scope`): 403 with RFC 6750's
 * `insufficient_scope` and the scope needed, so a client knows exactly what to ask for.
 */
export function checkScope(request: FastifyRequest, needed: Scope): AppError | null {
  if (request.principal.scopes.has(needed)) return null;
  const description = `This request needs the ${needed} permission, which this access token does not hold`;
  return new AppError('insufficient_scope', description, { headers: { 'www-authenticate': bearerChallenge('insufficient_scope', description, needed) } });
}

/** Every route of the Environment API declares its scope; one that forgets must not start. */
export function declaredScope(route: { method: string | string[]; url: string; config?: { scope?: Scope } }): Scope | null {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((method) => method === 'OPTIONS')) return null;
  if (!route.config?.scope) throw new Error(`Environment API route ${methods.join(',')} ${route.url} declares no scope`);
  return route.config.scope;
}
