import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  IntegrationCreateBodySchema,
  IntegrationListQuerySchema,
  IntegrationPageSchema,
  IntegrationPatchBodySchema,
  IntegrationSchema,
  IntegrationWithSecretSchema,
  RegenerateSecretBodySchema,
} from '@latchkey/contract';
import { Type } from '@sinclair/typebox';
import type { ManagementServices } from '../management/management-services.ts';
import { EnvParams, IntegrationParams, NoContent, responses } from '../management/route-schemas.ts';

const SecretParams = Type.Object({ ...IntegrationParams.properties, secretId: Type.String({ minLength: 1, maxLength: 200 }) });

/**
 * Integrations over HTTP, through the very IntegrationsService the CLI uses, with the caller as
 * the audit actor: a change made here reaches every node through the change feed like a CLI
 * change. Viewers read; admins and owners change.
 */
export const integrationsRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  const { access, integrations } = management;
  const tags = ['Integrations'];

  app.get(
    '/environments/:env/integrations',
    {
      schema: { tags, summary: "The environment's integrations (search, cursor paging)", params: EnvParams, querystring: IntegrationListQuerySchema, response: responses({ 200: IntegrationPageSchema }) },
    },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'read');
      return integrations.page(request.params.env, request.query);
    },
  );

  app.post(
    '/environments/:env/integrations',
    {
      schema: {
        tags,
        summary: 'Create an integration (its client secret is in this response only)',
        description: 'Give `scopes` or a `preset`, not both.',
        params: EnvParams,
        body: IntegrationCreateBodySchema,
        response: responses({ 201: IntegrationWithSecretSchema }),
      },
    },
    async (request, reply) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      const created = await integrations.create(request.params.env, { ...request.body, createdBy: request.caller.user.email }, request.caller.actor);
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/environments/:env/integrations/:id',
    { schema: { tags, summary: 'An integration', params: IntegrationParams, response: responses({ 200: IntegrationSchema }) } },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'read');
      return integrations.get(request.params.env, request.params.id);
    },
  );

  app.patch(
    '/environments/:env/integrations/:id',
    {
      schema: {
        tags,
        summary: 'Change name, description, scopes or preset, disabled, allowBrowserWrites',
        description: 'Disabling, or removing a scope, revokes every earlier token (SPEC §2).',
        params: IntegrationParams,
        body: IntegrationPatchBodySchema,
        response: responses({ 200: IntegrationSchema }),
      },
    },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      return integrations.update(request.params.env, request.params.id, request.body, request.caller.actor);
    },
  );

  app.delete(
    '/environments/:env/integrations/:id',
    { schema: { tags, summary: 'Delete an integration (its tokens die with it)', params: IntegrationParams, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      await integrations.delete(request.params.env, request.params.id, request.caller.actor);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/environments/:env/integrations/:id/secrets',
    {
      schema: {
        tags,
        summary: 'Regenerate the client secret (the new one is in this response only)',
        description: 'The previous secret keeps working for graceSeconds (default 0, at most 7 days). The new one may carry an expiry.',
        params: IntegrationParams,
        body: Type.Optional(RegenerateSecretBodySchema),
        response: responses({ 201: IntegrationWithSecretSchema }),
      },
    },
    async (request, reply) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      const { graceSeconds, expiresAt } = request.body ?? {};
      const regenerated = await integrations.regenerateSecret(
        request.params.env,
        request.params.id,
        { ...(graceSeconds !== undefined ? { graceSeconds } : {}), ...(expiresAt !== undefined ? { expiresAt: Date.parse(expiresAt) } : {}) },
        request.caller.actor,
      );
      return reply.code(201).header('cache-control', 'no-store').send(regenerated);
    },
  );

  app.delete(
    '/environments/:env/integrations/:id/secrets/:secretId',
    {
      schema: { tags, summary: "End a previous secret's grace period now", params: SecretParams, response: responses({ 200: IntegrationSchema }) },
    },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      return integrations.deleteSecret(request.params.env, request.params.id, request.params.secretId, request.caller.actor);
    },
  );

  app.post(
    '/environments/:env/integrations/:id/revoke-tokens',
    { schema: { tags, summary: 'Revoke every token issued so far', params: IntegrationParams, response: responses({ 200: IntegrationSchema }) } },
    async (request) => {
      await access.requireEnvironment(request.caller, request.params.env, 'change');
      return integrations.revokeTokens(request.params.env, request.params.id, request.caller.actor);
    },
  );
};
