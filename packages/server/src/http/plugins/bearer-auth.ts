import type { Scope } from '@latchkey/contract';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError } from '../../errors.ts';
import { BearerTokenError, type AccessTokenVerifier } from '../../modules/access-tokens/verify-access-token.ts';
import { bearerChallenge } from '../errors/render-bearer-error.ts';
import type { Principal } from '../principal.ts';
import { checkScope } from './require-scope.ts';

/** RFC 6750 §2.1: `Bearer` and a b64token. */
export const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const noCredentials = () =>
  new AppError('unauthorized', 'An access token is required: send it as "Authorization: Bearer <token>".', {
    // RFC 6750 §3.1: a request without credentials gets the challenge alone, no error code.
    headers: { 'www-authenticate': bearerChallenge() },
  });

export const invalidToken = (description: string) =>
  new AppError('invalid_token', description, { headers: { 'www-authenticate': bearerChallenge('invalid_token', description) } });

const browserRefusal = () =>
  new AppError(
    'forbidden',
    'This access token holds write or output permissions, which must never be used in a browser (the request carries an Origin header). ' +
      'Give the browser a token of a read-only integration, make the change from your back end, or, if this integration really must write from a browser (GraFx Studio UI autosave), turn on "allowBrowserWrites" for it.',
    { problemType: 'https://latchkey.dev/problems/privileged-token-in-browser' },
  );

/**
 * The Environment API's one authentication hook, made once per route for the scope it declares:
 * a verified bearer token for the path's environment (matched case-insensitively) holding that
 * scope, or a 401 / 403 with RFC 6750's challenge. Synchronous when the token was verified
 * before, so a known token costs no promise and no per-request lookup of the route's options.
 */
export function bearerAuth(verifier: AccessTokenVerifier, scope: Scope) {
  const accept = (request: FastifyRequest, principal: Principal): AppError | null => {
    // SPEC §4: a token with any write or output scope is refused on a browser request.
    if (principal.privileged && !principal.allowBrowserWrites && request.headers.origin !== undefined) return browserRefusal();
    request.principal = principal;
    return checkScope(request, scope);
  };
  return function authenticate(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.authorization;
    if (header === undefined) return done(noCredentials());
    const match = BEARER.exec(header);
    if (!match) {
      // Another scheme is "no credentials this server understands" (RFC 6750 §3.1).
      return done(/^bearer(\s|$)/i.test(header) ? invalidToken('The access token is malformed') : noCredentials());
    }
    const environment = String((request.params as { environment?: string }).environment ?? '').toLowerCase();
    let verified: Principal | Promise<Principal>;
    try {
      verified = verifier.verify(match[1]!, environment);
    } catch (error) {
      return done(error instanceof BearerTokenError ? invalidToken(error.message) : (error as Error));
    }
    if (!(verified instanceof Promise)) {
      const refused = accept(request, verified);
      return refused ? done(refused) : done();
    }
    verified.then(
      (principal) => {
        const refused = accept(request, principal);
        if (refused) done(refused);
        else done();
      },
      (error: unknown) => done(error instanceof BearerTokenError ? invalidToken(error.message) : (error as Error)),
    );
  };
}
