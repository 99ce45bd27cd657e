import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { useJsonBodyParser } from '../environment-api/json-body.ts';
import { projectRoutes } from '../projects/projects.routes.ts';
import { templateCollectionRoutes } from '../template-collections/template-collections.routes.ts';
import { templateRoutes } from '../templates/templates.routes.ts';
import type { ContentServices } from './content-services.ts';

/**
 * Templates, template collections and projects, mounted inside the Environment API surface
 * (`/grafx/api/v1/environment/:environment`). Encapsulated: its JSON body parser (raw text kept,
 * empty body allowed) applies to these routes only.
 */
export const contentRoutes: FastifyPluginAsync<{ content: ContentServices; issuer: string }> = async (fastify, { content, issuer }) => {
  useJsonBodyParser(fastify);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  await app.register(templateRoutes, { templates: content.templates, issuer });
  await app.register(templateCollectionRoutes, { collections: content.templateCollections, issuer });
  await app.register(projectRoutes, { projects: content.projects, issuer });
};
