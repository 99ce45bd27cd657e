import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors.ts';
import { DOCUMENT_BODY_LIMIT, documentOf, sendDocument } from '../environment-api/json-body.ts';
import { given, listEnvelope, parseBoolean, parseListQuery } from '../environment-api/paging.ts';
import { directoryItem, IdParams, ItemSchema, ListQuerySchema, ListSchema, timestamp, type Item } from '../environment-api/schemas.ts';
import { linkFrom } from '../environment-api/urls.ts';
import type { TemplateSummary } from './templates.repository.ts';
import type { TemplatesService } from './templates.service.ts';

/** A template as SPEC §4's item: relativePath is its folder; no dimensions, no metadata. */
export function templateItem(row: TemplateSummary): Item {
  return {
    id: row.id,
    name: row.name,
    relativePath: row.folder_path,
    extension: 'json',
    type: 0,
    width: null,
    height: null,
    metaData: {},
    dateCreated: timestamp(row.created_at),
    lastModified: timestamp(row.updated_at),
  };
}

const LocationQuery = Type.Object({ name: Type.Optional(Type.String()), folderPath: Type.Optional(Type.String()) });
const DeleteQuery = Type.Object({ force: Type.Optional(Type.String()) });
const SingleSchema = Type.Object({ data: ItemSchema, links: Type.Object({ download: Type.String() }) });

/** The location a query names; empty parameters count as absent (SPEC §4). */
const locationOf = (query: { name?: string; folderPath?: string }) => ({ name: given(query.name), folderPath: given(query.folderPath) });

/** Templates (`template:*`, SPEC §4). Thin: parse, call the service, shape the answer. */
export const templateRoutes: FastifyPluginAsyncTypebox<{ templates: TemplatesService; issuer: string }> = async (app, { templates, issuer }) => {
  app.get(
    '/templates',
    { config: { scope: 'template:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(ItemSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: true });
      const page = await templates.list(request.principal.environmentId, list);
      const data = [...page.folders.map(directoryItem), ...page.items.map(templateItem)];
      return listEnvelope(data, page, list, { issuer, requestUrl: request.url });
    },
  );

  app.post(
    '/templates',
    { bodyLimit: DOCUMENT_BODY_LIMIT, config: { scope: 'template:write' }, schema: { querystring: LocationQuery, response: { 201: ItemSchema } } },
    async (request, reply) => {
      const { environmentId, actor } = request.principal;
      const created = await templates.create(environmentId, actor, locationOf(request.query), documentOf(request));
      return reply.code(201).header('location', linkFrom(issuer, request.url, `/${created.id}`)).send(templateItem(created));
    },
  );

  app.get(
    '/templates/:id',
    { config: { scope: 'template:read' }, schema: { params: IdParams, response: { 200: SingleSchema } } },
    async (request) => {
      const row = await templates.get(request.principal.environmentId, request.params.id);
      return { data: templateItem(row), links: { download: linkFrom(issuer, request.url, '/download') } };
    },
  );

  app.get('/templates/:id/download', { config: { scope: 'template:read' }, schema: { params: IdParams } }, async (request, reply) =>
    sendDocument(request, reply, await templates.document(request.principal.environmentId, request.params.id)),
  );

  // One verb, two meanings (SPEC §4): a body replaces the document, name/folderPath without a
  // body rename or move. Both at once would be ambiguous about what the client meant.
  app.put(
    '/templates/:id',
    {
      bodyLimit: DOCUMENT_BODY_LIMIT,
      config: { scope: 'template:write' },
      schema: { params: IdParams, querystring: LocationQuery, response: { 200: ItemSchema } },
    },
    async (request) => {
      const { environmentId, actor } = request.principal;
      const location = locationOf(request.query);
      const body = documentOf(request);
      if (body && (location.name !== undefined || location.folderPath !== undefined)) {
        throw new AppError('validation_failed', 'Send either a JSON document (replace) or name/folderPath (rename or move), not both.');
      }
      const row = body
        ? await templates.replaceDocument(environmentId, actor, request.params.id, body)
        : await templates.move(environmentId, actor, request.params.id, location);
      return templateItem(row);
    },
  );

  app.delete(
    '/templates/:id',
    { config: { scope: 'template:write' }, schema: { params: IdParams, querystring: DeleteQuery, response: { 200: ItemSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      const force = parseBoolean(request.query.force, 'force') ?? false;
      return templateItem(await templates.delete(environmentId, actor, request.params.id, force));
    },
  );
};
