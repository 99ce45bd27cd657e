import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ActivityQuerySchema, ActivitySchema } from '@latchkey/contract';
import type { ManagementServices } from '../management/management-services.ts';
import { IntegrationParams, responses } from '../management/route-schemas.ts';

/** Hourly minted / reused / refused counts of one integration (written in batches: up to ~2 s behind). */
export const activityRoutes: FastifyPluginAsyncTypebox<{ management: ManagementServices }> = async (app, { management }) => {
  app.get(
    '/environments/:env/integrations/:id/activity',
    {
      schema: {
        tags: ['Integrations'],
        summary: 'Hourly token activity: minted, reused, refused',
        description: 'Every hour of the range is listed, zeros included. Default: the last 24 hours.',
        params: IntegrationParams,
        querystring: ActivityQuerySchema,
        response: responses({ 200: ActivitySchema }),
      },
    },
    async (request) => {
      await management.access.requireEnvironment(request.caller, request.params.env, 'read');
      return management.activity.forIntegration(request.params.env, request.params.id, request.query);
    },
  );
};
