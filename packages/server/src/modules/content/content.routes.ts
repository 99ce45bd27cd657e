import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { useJsonBodyParser } from '../environment-api/json-body.ts';
import { fontRoutes } from '../fonts/fonts.routes.ts';
import { mediaRoutes } from '../media/media.routes.ts';
import { projectRoutes } from '../projects/projects.routes.ts';
import { templateCollectionRoutes } from '../template-collections/template-collections.routes.ts';
import { templateRoutes } from '../templates/templates.routes.ts';
import type { ContentServices } from './content-services.ts';

/**
 * Templates, template collections, projects, media and fonts, mounted inside the Environment API
 * surface (`/grafx/api/v1/environment/:environment`). Encapsulated: its JSON body parser (raw
 * text kept, empty body allowed) applies to these routes only, and multipart parsing to the
 * media and font routes only. The content's background work (preview jobs, file sweeps) starts
 * and stops with the server.
 */
export const contentRoutes: FastifyPluginAsync<{ content: ContentServices; issuer: string }> = async (fastify, { content, issuer }) => {
  useJsonBodyParser(fastify);
  content.useLog(fastify.log);
  fastify.addHook('onReady', async () => content.start());
  // preClose, not onClose: the root's onClose closes the database, and a running preview job
  // still needs it.
  fastify.addHook('preClose', async () => content.close());
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const uploadLimit = content.media.maxUploadBytes;
  await app.register(templateRoutes, { templates: content.templates, issuer });
  await app.register(templateCollectionRoutes, { collections: content.templateCollections, issuer });
  await app.register(projectRoutes, { projects: content.projects, issuer });
  await app.register(mediaRoutes, { media: content.media, issuer, maxUploadBytes: uploadLimit });
  await app.register(fontRoutes, { fonts: content.fonts, uploads: content.fontUploads, issuer, maxUploadBytes: uploadLimit });
};
