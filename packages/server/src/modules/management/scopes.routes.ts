import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ScopeCatalogSchema, scopeCatalog } from '@latchkey/contract';
import { responses } from './route-schemas.ts';

/** The scope catalog grouped by resource, with the presets (what the console's Permissions tab draws). */
export const scopesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalog = scopeCatalog();
  app.get('/scopes', { schema: { tags: ['Scopes'], summary: 'The scope catalog, grouped by resource, and the presets', response: responses({ 200: ScopeCatalogSchema }) } }, async () => catalog);
};
