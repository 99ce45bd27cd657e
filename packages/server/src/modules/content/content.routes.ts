// Placeholder written by the lead so the plumbing type-checks; the content helper replaces this file.
import type { FastifyPluginAsync } from 'fastify';
import type { ContentServices } from './content-services.ts';

export const contentRoutes: FastifyPluginAsync<{ content: ContentServices; issuer: string }> = async (app) => {
  app.get('/probe', { config: { scope: 'template:read' } }, async () => ({ ok: true }));
};
