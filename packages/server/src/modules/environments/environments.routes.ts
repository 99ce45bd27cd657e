import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EnvironmentCreateBodySchema, EnvironmentDeleteQuerySchema, EnvironmentListSchema, EnvironmentPatchBodySchema, EnvironmentSchema } from '@latchkey/contract';
import type { ManagementServices } from '../management/management-services.ts';
import { EnvParams, NoContent, responses } from '../management/route-schemas.ts';

/** Environments: owners create and delete them, admins change their settings, members read theirs. */
export const environmentsRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  const { access, environments, users } = management;

  app.get(
    '/environments',
    { schema: { tags: ['Environments'], summary: 'The environments the caller may see (owners: all)', response: responses({ 200: EnvironmentListSchema }) } },
    async (request) => {
      const all = await environments.list();
      if (access.isOwner(request.caller)) return { data: all };
      const mine = new Set((await users.repository.membershipsOf([request.caller.user.id])).map((membership) => membership.environment_id));
      return { data: all.filter((environment) => mine.has(environment.id)) };
    },
  );

  app.post(
    '/environments',
    { schema: { tags: ['Environments'], summary: 'Create an environment (owners)', body: EnvironmentCreateBodySchema, response: responses({ 201: EnvironmentSchema }) } },
    async (request, reply) => {
      access.requireOwner(request.caller, 'create environments');
      return reply.code(201).send(await environments.create(request.body, request.caller.actor));
    },
  );

  app.get(
    '/environments/:env',
    { schema: { tags: ['Environments'], summary: 'An environment and its settings', params: EnvParams, response: responses({ 200: EnvironmentSchema }) } },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'read');
      return environments.get(request.params.env);
    },
  );

  app.patch(
    '/environments/:env',
    {
      schema: {
        tags: ['Environments'],
        summary: 'Change display name or token settings (admins)',
        description: 'tokenReuseWindowSeconds ≤ tokenTtlSeconds ≤ 30 days.',
        params: EnvParams,
        body: EnvironmentPatchBodySchema,
        response: responses({ 200: EnvironmentSchema }),
      },
    },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      return environments.update(request.params.env, request.body, request.caller.actor);
    },
  );

  app.delete(
    '/environments/:env',
    {
      schema: {
        tags: ['Environments'],
        summary: 'Delete an environment and everything in it (owners; ?confirm={env})',
        params: EnvParams,
        querystring: EnvironmentDeleteQuerySchema,
        response: responses({ 204: NoContent }),
      },
    },
    async (request, reply) => {
      await access.requireEnvironment(request.caller, request.params.env, 'manage');
      await environments.delete(request.params.env, request.query.confirm, request.caller.actor);
      return reply.code(204).send(null);
    },
  );
};
