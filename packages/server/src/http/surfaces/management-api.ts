import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { FormatRegistry } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { activityRoutes } from '../../modules/activity/activity.routes.ts';
import { auditRoutes } from '../../modules/audit/audit.routes.ts';
import { environmentsRoutes } from '../../modules/environments/environments.routes.ts';
import { integrationsRoutes } from '../../modules/integrations/integrations.routes.ts';
import { authenticate, sessionCookie } from '../../modules/management/management-auth.ts';
import { scopesRoutes } from '../../modules/management/scopes.routes.ts';
import { personalAccessTokensRoutes } from '../../modules/personal-access-tokens/personal-access-tokens.routes.ts';
import { sessionPublicRoutes, sessionRoutes } from '../../modules/sessions/sessions.routes.ts';
import { usersRoutes } from '../../modules/users/users.routes.ts';
import type { Services } from '../../services.ts';
import { reportError } from '../errors/report.ts';
import { sendProblem } from '../errors/render-problem.ts';

export const MANAGEMENT_API_PREFIX = '/api/v1';
export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/docs';

// TypeBox's compiler checks formats only through its registry (unknown formats fail closed).
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (value) => DATE_TIME_RE.test(value) && Number.isFinite(Date.parse(value)));

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Fastify's schema validation errors as one `validation_failed` listing every problem. */
function validationProblem(error: FastifyError): AppError | null {
  if (error.code !== 'FST_ERR_VALIDATION' || !Array.isArray(error.validation)) return null;
  const part = error.validationContext ?? 'request';
  // One problem per field: a missing field is also "not a string", which says nothing more.
  const byField = new Map<string, string>();
  for (const problem of error.validation) {
    const where = (problem.instancePath ?? '').split('/').filter(Boolean).join('.');
    const field = `${part}${where ? `.${where}` : ''}`;
    if (!byField.has(field)) byField.set(field, `${field}: ${problem.message ?? 'is invalid'}`);
  }
  return new AppError('validation_failed', `Invalid ${part}`, { details: [...byField.values()] });
}

/**
 * The management API (SPEC §3): `/api/v1`, JSON in camelCase, people, sessions, personal access
 * tokens, environments, integrations, audit and activity. One encapsulated plugin with its own
 * authentication hook (session cookie + CSRF, or a personal access token), its own validator
 * (TypeBox's compiler: unknown body fields are refused, never silently dropped) and its own
 * problem renderer `{error, message, details?}`. The OpenAPI 3.1 document at /api/openapi.json is
 * generated from the route schemas; /docs renders it with Swagger UI, served from this server
 * (no CDN).
 */
export async function managementApiSurface(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const management = services.management;
  const cookieSettings = sessionCookie(services.config);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey management API',
        version: '1',
        description:
          'Environments, integrations, people, personal access tokens and the audit log. Authenticate with a personal access token ' +
          '(`Authorization: Bearer lk_pat_…`) or a session cookie from `POST /api/v1/session`, which then needs `X-CSRF-Token` on every ' +
          'state-changing request. Errors are `{error, message, details?}`.',
      },
      servers: [{ url: services.config.issuer }],
      components: {
        securitySchemes: {
          personalAccessToken: { type: 'http', scheme: 'bearer', description: 'A personal access token, `lk_pat_…`.' },
          session: { type: 'apiKey', in: 'cookie', name: cookieSettings.name, description: 'Plus `X-CSRF-Token` on POST, PUT, PATCH and DELETE.' },
        },
      },
      security: [{ personalAccessToken: [] }, { session: [] }],
    },
  });

  await app.register(
    async (api) => {
      const typed = api.withTypeProvider<TypeBoxTypeProvider>();
      api.setValidatorCompiler(TypeBoxValidatorCompiler);
      api.setErrorHandler((error: FastifyError, request, reply) => {
        return sendProblem(reply, validationProblem(error) ?? reportError(error, request.log, services.health));
      });
      api.setNotFoundHandler((request, reply) => sendProblem(reply, new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)));
      // An empty JSON body is no body (scripts send Content-Type with nothing after it). A body
      // that is not JSON gets a fixed message: the parser's own quotes the body, and a body may
      // hold a password.
      const parseJson = api.getDefaultJsonParser('error', 'error');
      api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        const text = String(body);
        if (text.trim() === '') return done(null, undefined);
        return parseJson(request, text, (error, value) =>
          error ? done(new AppError('validation_failed', 'The body is not valid JSON', { detail: 'unparseable JSON body' }), undefined) : done(null, value),
        );
      });
      // A request without a body is validated as `{}`: required fields are then reported as missing.
      api.addHook('preValidation', async (request) => {
        if (request.body === undefined && !SAFE_METHODS.has(request.method)) request.body = {};
      });
      api.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
        reply.header('x-content-type-options', 'nosniff');
      });
      await api.register(cookie);

      typed.get(OPENAPI_PATH.slice('/api'.length), { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

      await api.register(sessionPublicRoutes, { prefix: '/v1', management, cookie: cookieSettings });
      await api.register(
        async (protectedApi) => {
          protectedApi.addHook('onRequest', authenticate(management, cookieSettings));
          await protectedApi.register(sessionRoutes, { management, cookie: cookieSettings });
          await protectedApi.register(personalAccessTokensRoutes, { management });
          await protectedApi.register(usersRoutes, { management });
          await protectedApi.register(environmentsRoutes, { management });
          await protectedApi.register(integrationsRoutes, { management });
          await protectedApi.register(activityRoutes, { management });
          await protectedApi.register(auditRoutes, { management });
          await protectedApi.register(scopesRoutes);
        },
        { prefix: '/v1' },
      );
    },
    { prefix: '/api' },
  );

  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    uiConfig: { deepLinking: true, tryItOutEnabled: false },
    // Everything from this server: the page works offline and loads nothing from elsewhere.
    staticCSP: "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'",
  });
}
