import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../../errors.ts';
import { FileMissingError } from '../../infra/file-store/index.ts';
import { expectMultipart, filesOf, useMultipart, watchDisconnect } from '../environment-api/multipart.ts';
import { listEnvelope, parseListQuery } from '../environment-api/paging.ts';
import { IdParams, ListQuerySchema, ListSchema, timestamp } from '../environment-api/schemas.ts';
import { sendFile } from '../environment-api/send-file.ts';
import { linkFrom } from '../environment-api/urls.ts';
import type { BatchView, FontUploadsService, IncomingFont } from './font-uploads.service.ts';
import { MAX_FONTS_PER_BATCH } from './font-uploads.service.ts';
import type { FamilySummary, StyleSummary } from './fonts.repository.ts';
import { parseIds, type FontsService } from './fonts.service.ts';

export const FontFamilySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  fontStylesCount: Type.Integer(),
  dateCreated: Type.String(),
  lastModifiedDate: Type.String(),
  extensions: Type.Array(Type.String()),
});
export const FontStyleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  familyId: Type.String(),
  familyName: Type.String(),
  dateCreated: Type.String(),
  extension: Type.String(),
  fileName: Type.String(),
  fileSize: Type.Integer(),
});
const PreloadedSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  familyName: Type.String(),
  fileName: Type.String(),
  errors: Type.Array(Type.String()),
  canBeUploaded: Type.Boolean(),
  extension: Type.Union([Type.String(), Type.Null()]),
  fileSize: Type.Integer(),
});
const BatchFamilySchema = Type.Object({
  /** The existing family the styles join, or null for a family the confirmation creates. */
  id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  fontStyleIds: Type.Array(Type.String()),
});
const BatchSchema = Type.Object({
  batchId: Type.String(),
  links: Type.Object({ self: Type.String(), confirm: Type.String() }),
  data: Type.Object({ fontFamilies: Type.Array(BatchFamilySchema), preloadedData: Type.Array(PreloadedSchema) }),
});
const ConfirmedSchema = Type.Object({ fontFamilies: Type.Array(FontFamilySchema), fontStyles: Type.Array(FontStyleSchema) });
const CorrectionsBody = Type.Array(
  Type.Object({ fontStyleId: Type.String({ maxLength: 200 }), familyName: Type.String(), styleName: Type.String() }),
  { maxItems: MAX_FONTS_PER_BATCH },
);
const IdsQuery = Type.Object({ ids: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 100 })])) });
const BatchParams = Type.Object({ batchId: Type.String({ minLength: 1, maxLength: 200 }) });

export function familyItem(row: FamilySummary): Static<typeof FontFamilySchema> {
  return {
    id: row.id,
    name: row.name,
    fontStylesCount: row.style_count,
    dateCreated: timestamp(row.created_at),
    lastModifiedDate: timestamp(row.updated_at),
    extensions: row.extensions,
  };
}

export function styleItem(row: StyleSummary): Static<typeof FontStyleSchema> {
  return {
    id: row.id,
    name: row.name,
    familyId: row.family_id,
    familyName: row.family_name,
    dateCreated: timestamp(row.created_at),
    extension: row.extension,
    fileName: row.file_name,
    fileSize: Number(row.file_size),
  };
}

function batchBody(view: BatchView, batchUrl: string): Static<typeof BatchSchema> {
  const families = new Map<string, Static<typeof BatchFamilySchema>>();
  for (const entry of view.entries) {
    if (!entry.canBeUploaded) continue;
    const key = entry.family_name.toLowerCase();
    const family = families.get(key) ?? { id: entry.existingFamilyId, name: entry.family_name, fontStyleIds: [] };
    family.fontStyleIds.push(entry.id);
    families.set(key, family);
  }
  return {
    batchId: view.batch.id,
    links: { self: batchUrl, confirm: `${batchUrl}/confirm` },
    data: {
      fontFamilies: [...families.values()],
      preloadedData: view.entries.map((entry) => ({
        id: entry.id,
        name: entry.style_name,
        familyName: entry.family_name,
        fileName: entry.file_name,
        errors: entry.problems,
        canBeUploaded: entry.canBeUploaded,
        extension: entry.extension,
        fileSize: Number(entry.file_size),
      })),
    },
  };
}

/** Font families and styles (`font:*`, SPEC §4), with GraFx's three-step upload. */
export const fontRoutes: FastifyPluginAsyncTypebox<{ fonts: FontsService; uploads: FontUploadsService; issuer: string; maxUploadBytes: number }> = async (
  app,
  { fonts, uploads, issuer, maxUploadBytes },
) => {
  await useMultipart(app, maxUploadBytes, MAX_FONTS_PER_BATCH);

  app.get(
    '/font-families',
    { config: { scope: 'font:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(FontFamilySchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: false });
      const page = await fonts.families(request.principal.environmentId, list);
      return listEnvelope(page.items.map(familyItem), page, list, { issuer, requestUrl: request.url });
    },
  );

  app.get(
    '/font-families/:id',
    {
      config: { scope: 'font:read' },
      schema: { params: IdParams, response: { 200: Type.Object({ data: FontFamilySchema, links: Type.Object({ styles: Type.String() }) }) } },
    },
    async (request) => {
      const family = await fonts.family(request.principal.environmentId, request.params.id);
      return { data: familyItem(family), links: { styles: linkFrom(issuer, request.url, '/styles') } };
    },
  );

  app.get(
    '/font-families/:id/styles',
    { config: { scope: 'font:list' }, schema: { params: IdParams, querystring: ListQuerySchema, response: { 200: ListSchema(FontStyleSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: false });
      const page = await fonts.styles(request.principal.environmentId, request.params.id, list);
      return listEnvelope(page.items.map(styleItem), page, list, { issuer, requestUrl: request.url });
    },
  );

  app.delete('/font-families', { config: { scope: 'font:write' }, schema: { querystring: IdsQuery } }, async (request, reply) => {
    const { environmentId, actor } = request.principal;
    await fonts.deleteFamilies(environmentId, actor, parseIds(request.query.ids));
    return reply.code(204).send();
  });

  app.get(
    '/font-styles/:id',
    {
      config: { scope: 'font:read' },
      schema: { params: IdParams, response: { 200: Type.Object({ data: FontStyleSchema, links: Type.Object({ download: Type.String() }) }) } },
    },
    async (request) => {
      const style = await fonts.style(request.principal.environmentId, request.params.id);
      return { data: styleItem(style), links: { download: linkFrom(issuer, request.url, '/download') } };
    },
  );

  app.get('/font-styles/:id/download', { config: { scope: 'font:read' }, schema: { params: IdParams } }, async (request, reply) => {
    const { style, file } = await fonts.download(request.principal.environmentId, request.params.id);
    try {
      return await sendFile(request, reply, file, { cacheControl: 'private, no-cache', disposition: { type: 'attachment', fileName: style.file_name } });
    } catch (error) {
      if (error instanceof FileMissingError) throw new AppError('server_error', 'The stored font file is missing.', { detail: error.message });
      throw error;
    }
  });

  app.delete('/font-styles', { config: { scope: 'font:write' }, schema: { querystring: IdsQuery } }, async (request, reply) => {
    const { environmentId, actor } = request.principal;
    await fonts.deleteStyles(environmentId, actor, parseIds(request.query.ids));
    return reply.code(204).send();
  });

  app.post('/font-styles/temp', { config: { scope: 'font:write' }, schema: { response: { 201: BatchSchema } } }, async (request, reply) => {
    const { environmentId, actor, integrationId } = request.principal;
    expectMultipart(request, maxUploadBytes);
    const watch = watchDisconnect(request);
    async function* files(): AsyncGenerator<IncomingFont> {
      for await (const part of filesOf(request, 'file', watch)) yield { fileName: part.filename, stream: part.file };
    }
    let view;
    try {
      view = await uploads.start(environmentId, { integrationId, actor }, files());
    } finally {
      watch.detach();
    }
    const url = linkFrom(issuer, request.url, `/${view.batch.id}`);
    return reply.code(201).header('location', url).send(batchBody(view, url));
  });

  app.patch(
    '/font-styles/temp/:batchId',
    { config: { scope: 'font:write' }, schema: { params: BatchParams, body: CorrectionsBody, response: { 200: BatchSchema } } },
    async (request) => {
      const { environmentId, actor, integrationId } = request.principal;
      const view = await uploads.correct(environmentId, { integrationId, actor }, request.params.batchId, request.body);
      return batchBody(view, linkFrom(issuer, request.url, ''));
    },
  );

  app.post(
    '/font-styles/temp/:batchId/confirm',
    { config: { scope: 'font:write' }, schema: { params: BatchParams, response: { 201: ConfirmedSchema } } },
    async (request, reply) => {
      const { environmentId, actor, integrationId } = request.principal;
      const confirmed = await uploads.confirm(environmentId, { integrationId, actor }, request.params.batchId);
      return reply.code(201).send({ fontFamilies: confirmed.families.map(familyItem), fontStyles: confirmed.styles.map(styleItem) });
    },
  );
};
