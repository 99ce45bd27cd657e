import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MeSchema, SessionSchema, SetupBodySchema, SetupStatusSchema, SignInBodySchema } from '@latchkey/contract';
import { clearSessionCookie, setSessionCookie, type SessionCookie } from '../management/management-auth.ts';
import type { ManagementServices } from '../management/management-services.ts';
import { NoContent, PUBLIC, responses } from '../management/route-schemas.ts';

interface Options {
  management: ManagementServices;
  cookie: SessionCookie;
}

/** Sign-in and first-owner setup: the management API's only routes without credentials. */
export const sessionPublicRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { management, cookie }) => {
  app.post(
    '/session',
    {
      config: PUBLIC,
      schema: {
        tags: ['Sessions'],
        summary: 'Sign in',
        description: 'Sets the session cookie (HttpOnly, SameSite=Strict) and answers the CSRF token to send as X-CSRF-Token. Throttled per account and per address (429 + Retry-After).',
        security: [],
        body: SignInBodySchema,
        response: responses({ 200: SessionSchema }),
      },
    },
    async (request, reply) => {
      const started = await management.sessions.signIn(
        request.body.email,
        request.body.password,
        { address: request.ip, userAgent: request.headers['user-agent'] ?? null },
        request.cookies?.[cookie.name],
      );
      setSessionCookie(reply, cookie, started.sessionId);
      return { user: await management.users.userWithMemberships(started.user), csrfToken: started.csrfToken };
    },
  );

  app.get(
    '/setup',
    { config: PUBLIC, schema: { tags: ['Sessions'], summary: 'Whether first-owner setup is still open', security: [], response: responses({ 200: SetupStatusSchema }) } },
    async () => ({ required: await management.setup.required() }),
  );

  app.post(
    '/setup',
    {
      config: PUBLIC,
      schema: {
        tags: ['Sessions'],
        summary: 'Create the first owner with the setup token printed at start, and sign in',
        security: [],
        body: SetupBodySchema,
        response: responses({ 201: SessionSchema }),
      },
    },
    async (request, reply) => {
      const context = { address: request.ip, userAgent: request.headers['user-agent'] ?? null };
      const owner = await management.setup.complete(request.body, context);
      const started = await management.sessions.start(owner, context, request.cookies?.[cookie.name], { action: 'session.create', changes: { via: 'setup' } });
      setSessionCookie(reply, cookie, started.sessionId);
      return reply.code(201).send({ user: await management.users.userWithMemberships(started.user), csrfToken: started.csrfToken });
    },
  );
};

/** Who am I, and sign-out. */
export const sessionRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { management, cookie }) => {
  app.get(
    '/me',
    { schema: { tags: ['Sessions'], summary: 'The caller: user, platform role and memberships', response: responses({ 200: MeSchema }) } },
    async (request) => {
      const { caller } = request;
      return {
        user: await management.users.userWithMemberships(caller.user),
        via: caller.via,
        access: caller.access,
        ...(caller.sessionId ? { csrfToken: management.sessions.csrfToken(caller.sessionId) } : {}),
      };
    },
  );

  app.delete(
    '/session',
    { config: { sessionOnly: true }, schema: { tags: ['Sessions'], summary: 'Sign out', response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await management.sessions.signOut(request.caller.sessionId!, request.caller.actor);
      clearSessionCookie(reply, cookie);
      return reply.code(204).send(null);
    },
  );
};
