import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { PatCreateBodySchema, PatCreatedSchema, PatListSchema } from '@latchkey/contract';
import type { ManagementServices } from '../management/management-services.ts';
import { IdParams, NoContent, responses } from '../management/route-schemas.ts';

/**
 * The caller's own personal access tokens. Creating and revoking need a session: a leaked token
 * must not be able to mint itself successors that outlive its revocation.
 */
export const personalAccessTokensRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  const { pats } = management;

  app.get('/me/tokens', { schema: { tags: ['Personal access tokens'], summary: 'My personal access tokens', response: responses({ 200: PatListSchema }) } }, async (request) => ({
    data: await pats.list(request.caller.user.id),
  }));

  app.post(
    '/me/tokens',
    {
      config: { sessionOnly: true },
      schema: {
        tags: ['Personal access tokens'],
        summary: 'Create a personal access token (shown in this response only)',
        body: PatCreateBodySchema,
        response: responses({ 201: PatCreatedSchema }),
      },
    },
    async (request, reply) => {
      const { name, access, expiresAt } = request.body;
      const created = await pats.create(request.caller.user.id, { name, access, ...(expiresAt ? { expiresAt: Date.parse(expiresAt) } : {}) }, request.caller.actor);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/me/tokens/:id',
    { config: { sessionOnly: true }, schema: { tags: ['Personal access tokens'], summary: 'Revoke one of my tokens', params: IdParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await pats.revoke(request.caller.user.id, request.params.id, request.caller.actor);
      return reply.code(204).send(null);
    },
  );
};
