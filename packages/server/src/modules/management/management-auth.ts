import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { SESSION_ABSOLUTE_MS } from '../sessions/sessions.service.ts';
import type { Caller } from './access-policy.ts';
import type { ManagementServices } from './management-services.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who calls the management API (set by its authentication hook; absent on public routes). */
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** A management route anyone may call (sign-in, first-owner setup). */
    public?: boolean;
    /** A management route a personal access token may not call (managing tokens, signing out). */
    sessionOnly?: boolean;
  }
}

/** Methods that change nothing: no CSRF token needed, and all a `read` token may use. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER_RE = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface SessionCookie {
  name: string;
  options: { path: string; httpOnly: true; sameSite: 'strict'; secure: boolean };
}

/**
 * The session cookie: HttpOnly, SameSite=Strict, `Secure` when the issuer is https — and then
 * named with the `__Host-` prefix, which browsers accept only from a secure origin, for path `/`
 * and without a Domain, so no sibling host can plant or shadow it.
 */
export function sessionCookie(config: Pick<Config, 'issuer'>): SessionCookie {
  const secure = config.issuer.startsWith('https:');
  return { name: secure ? '__Host-latchkey_session' : 'latchkey_session', options: { path: '/', httpOnly: true, sameSite: 'strict', secure } };
}

export function setSessionCookie(reply: FastifyReply, cookie: SessionCookie, sessionId: string): void {
  reply.setCookie(cookie.name, sessionId, { ...cookie.options, maxAge: SESSION_ABSOLUTE_MS / 1000 });
}

export function clearSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  reply.clearCookie(cookie.name, cookie.options);
}

const unauthorized = (message: string) => new AppError('unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="latchkey"' } });

/**
 * The management API's authentication hook (one `onRequest` on the protected routes):
 * `Authorization: Bearer lk_pat_…` (a personal access token, acting as its user), else the
 * session cookie (with `X-CSRF-Token` on every state-changing request). An access token from
 * /oauth/token is never a management credential (401). No credentials: 401.
 */
export function authenticate(management: ManagementServices, cookie: SessionCookie) {
  return async function managementAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const config = request.routeOptions.config;
    if (config.public) return;
    const context = { address: request.ip, userAgent: request.headers['user-agent'] ?? null };
    const authorization = request.headers.authorization;

    if (authorization !== undefined) {
      const token = BEARER_RE.exec(authorization)?.[1];
      if (!token) throw unauthorized('Send a personal access token as "Authorization: Bearer lk_pat_…", or sign in');
      if (!token.startsWith('lk_pat_') && JWT_RE.test(token)) {
        throw unauthorized('Access tokens from /oauth/token are for the Environment API: the management API takes a personal access token (lk_pat_…) or a session');
      }
      const found = await management.pats.resolve(token);
      if (!found) throw unauthorized('The personal access token is invalid, expired or revoked');
      request.caller = {
        user: found.user,
        via: 'pat',
        access: found.pat.access,
        patId: found.pat.id,
        actor: { type: 'pat', id: found.pat.id, ...context },
      };
      if (found.pat.access === 'read' && !SAFE_METHODS.has(request.method)) throw new AppError('forbidden', 'This personal access token is read-only');
      if (config.sessionOnly) throw new AppError('forbidden', 'This needs a signed-in session: a personal access token cannot do it');
      return;
    }

    const sessionId = request.cookies?.[cookie.name];
    if (!sessionId) throw unauthorized('Sign in, or send a personal access token');
    const found = await management.sessions.resolve(sessionId);
    if (!found) {
      clearSessionCookie(reply, cookie);
      throw unauthorized('Your session has ended: sign in again');
    }
    // SameSite=Strict already keeps other sites' requests from carrying the cookie; the token is
    // the second, independent line (older browsers, same-site subdomains).
    if (!SAFE_METHODS.has(request.method) && !management.sessions.checkCsrf(sessionId, headerValue(request.headers['x-csrf-token']))) {
      throw new AppError('forbidden', 'Missing or wrong X-CSRF-Token header: send the csrfToken of your sign-in');
    }
    request.caller = { user: found.user, via: 'session', access: 'read-write', sessionId, actor: { type: 'user', id: found.user.id, ...context } };
  };
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? undefined : value);
