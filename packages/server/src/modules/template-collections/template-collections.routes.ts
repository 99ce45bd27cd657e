import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { listEnvelope, parseListQuery } from '../environment-api/paging.ts';
import { directoryItem, IdParams, ItemSchema, ListQuerySchema, ListSchema, timestamp } from '../environment-api/schemas.ts';
import { linkFrom } from '../environment-api/urls.ts';
import { templateItem } from '../templates/templates.routes.ts';
import type { CollectionSummary } from './template-collections.repository.ts';
import type { TemplateCollectionsService } from './template-collections.service.ts';

export const CollectionSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  templateCount: Type.Integer(),
  dateCreated: Type.String(),
  lastModified: Type.String(),
});
export type Collection = Static<typeof CollectionSchema>;

export function collectionItem(row: CollectionSummary): Collection {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    templateCount: row.template_count,
    dateCreated: timestamp(row.created_at),
    lastModified: timestamp(row.updated_at),
  };
}

// Unknown fields are ignored, as GraFx does; the known ones are checked. A null description
// is an empty one.
const Description = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const CreateBody = Type.Object({ name: Type.String(), description: Description });
const PatchBody = Type.Object({ name: Type.Optional(Type.String()), description: Description });
const MemberParams = Type.Object({ id: IdParams.properties.id, templateId: IdParams.properties.id });
const SingleSchema = Type.Object({ data: CollectionSchema, links: Type.Object({ templates: Type.String() }) });

/** Template collections (`template_collection:*`, SPEC §4). */
export const templateCollectionRoutes: FastifyPluginAsyncTypebox<{ collections: TemplateCollectionsService; issuer: string }> = async (
  app,
  { collections, issuer },
) => {
  app.get(
    '/template-collections',
    { config: { scope: 'template_collection:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(CollectionSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: false });
      const page = await collections.list(request.principal.environmentId, list);
      return listEnvelope(page.items.map(collectionItem), page, list, { issuer, requestUrl: request.url });
    },
  );

  app.post(
    '/template-collections',
    { config: { scope: 'template_collection:write' }, schema: { body: CreateBody, response: { 201: CollectionSchema } } },
    async (request, reply) => {
      const { environmentId, actor } = request.principal;
      const created = await collections.create(environmentId, actor, request.body);
      return reply.code(201).header('location', linkFrom(issuer, request.url, `/${created.id}`)).send(collectionItem(created));
    },
  );

  // Wrapped like a single template, with a link to the collection's templates.
  app.get(
    '/template-collections/:id',
    { config: { scope: 'template_collection:read' }, schema: { params: IdParams, response: { 200: SingleSchema } } },
    async (request) => {
      const row = await collections.get(request.principal.environmentId, request.params.id);
      return { data: collectionItem(row), links: { templates: linkFrom(issuer, request.url, '/templates') } };
    },
  );

  app.patch(
    '/template-collections/:id',
    { config: { scope: 'template_collection:write' }, schema: { params: IdParams, body: PatchBody, response: { 200: CollectionSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return collectionItem(await collections.update(environmentId, actor, request.params.id, request.body));
    },
  );

  app.delete(
    '/template-collections/:id',
    { config: { scope: 'template_collection:write' }, schema: { params: IdParams, response: { 200: CollectionSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return collectionItem(await collections.delete(environmentId, actor, request.params.id));
    },
  );

  app.get(
    '/template-collections/:id/templates',
    { config: { scope: 'template_collection:read' }, schema: { params: IdParams, querystring: ListQuerySchema, response: { 200: ListSchema(ItemSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: true });
      const page = await collections.templatesOf(request.principal.environmentId, request.params.id, list);
      const data = [...page.folders.map(directoryItem), ...page.items.map(templateItem)];
      return listEnvelope(data, page, list, { issuer, requestUrl: request.url });
    },
  );

  app.put(
    '/template-collections/:id/templates/:templateId',
    { config: { scope: 'template_collection:write' }, schema: { params: MemberParams, response: { 200: CollectionSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return collectionItem(await collections.addTemplate(environmentId, actor, request.params.id, request.params.templateId));
    },
  );

  app.delete(
    '/template-collections/:id/templates/:templateId',
    { config: { scope: 'template_collection:write' }, schema: { params: MemberParams, response: { 200: CollectionSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return collectionItem(await collections.removeTemplate(environmentId, actor, request.params.id, request.params.templateId));
    },
  );
};
