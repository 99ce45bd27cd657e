import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPageSchema, AuditQuerySchema } from '@latchkey/contract';
import type { ManagementServices } from '../management/management-services.ts';
import { EnvParams, responses } from '../management/route-schemas.ts';

const description =
  'Newest first. Filters: actor (an id, or a type: user, pat, cli, integration, system), action (exact, or a prefix ending in *), target (an id), from (inclusive), to (exclusive). Follow nextCursor for older entries.';

/** The audit log: an environment's (its members), and platform events (owners). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  const { access, audit } = management;

  app.get(
    '/environments/:env/audit',
    { schema: { tags: ['Audit'], summary: "The environment's audit log", description, params: EnvParams, querystring: AuditQuerySchema, response: responses({ 200: AuditPageSchema }) } },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'read');
      await management.environments.get(request.params.env);
      return audit.list(request.params.env, request.query);
    },
  );

  app.get(
    '/audit',
    {
      schema: {
        tags: ['Audit'],
        summary: 'Platform events: sign-ins, people, personal access tokens, refusals of unknown clients (owners)',
        description,
        querystring: AuditQuerySchema,
        response: responses({ 200: AuditPageSchema }),
      },
    },
    async (request) => {
      access.requireOwner(request.caller, 'read platform events');
      return audit.list(null, request.query);
    },
  );
};
