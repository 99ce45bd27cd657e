import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { FileMissingError } from '../../infra/file-store/index.ts';
import { expectMultipart, firstFile, useMultipart, watchDisconnect } from '../environment-api/multipart.ts';
import { given, listEnvelope, parseBoolean, parseListQuery, type ListQuery } from '../environment-api/paging.ts';
import { directoryItem, IdParams, ItemSchema, ListQuerySchema, ListSchema, timestamp, type Item } from '../environment-api/schemas.ts';
import { sendFile } from '../environment-api/send-file.ts';
import { linkFrom } from '../environment-api/urls.ts';
import type { MediaRow } from './media.repository.ts';
import type { MediaService } from './media.service.ts';
import { parsePreviewType, PREVIEW_TYPES, type PreviewType } from './renditions.ts';

/** A media item as SPEC §4's item: relativePath is its folder; width, height and metaData read from the file. */
export function mediaItem(row: MediaRow): Item {
  return {
    id: row.id,
    name: row.name,
    relativePath: row.folder_path,
    extension: row.extension,
    type: 0,
    width: row.width,
    height: row.height,
    metaData: JSON.parse(row.meta_data) as Record<string, string>,
    dateCreated: timestamp(row.created_at),
    lastModified: timestamp(row.updated_at),
  };
}

const LocationQuery = Type.Object({ name: Type.Optional(Type.String()), folderPath: Type.Optional(Type.String()) });
// Unknown fields are ignored, as GraFx does; the known ones are checked.
const PatchBody = Type.Object({ name: Type.Optional(Type.String()), folderPath: Type.Optional(Type.String()) });
const Links = Type.Object({
  download: Type.String(),
  thumbnail: Type.String(),
  medium: Type.String(),
  highest: Type.String(),
  fullOrVector: Type.String(),
  highestOrVector: Type.String(),
  x4096: Type.String(),
});
const SingleSchema = Type.Object({ data: ItemSchema, links: Links });
const PreviewParams = Type.Object({ id: IdParams.properties.id, type: Type.String({ maxLength: 40 }) });
const PreviewQuery = Type.Object({ previewType: Type.Optional(Type.String()) });

/** Downloads are revalidated every time (cheap: a strong ETag); previews may be kept a day. */
const DOWNLOAD_CACHE = 'private, no-cache';
const PREVIEW_CACHE = 'private, max-age=86400';

/**
 * An SVG is a document that can run script: served as a download in a sandbox (SPEC §4), so
 * opening its URL never runs anything in this origin.
 */
const SVG_HEADERS = { 'content-security-policy': 'sandbox' };

const locationOf = (query: { name?: string; folderPath?: string }) => ({ name: given(query.name), folderPath: given(query.folderPath) });

/** Media (`media:*`, SPEC §4). Thin: parse, call the service, shape the answer. */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ media: MediaService; issuer: string; maxUploadBytes: number }> = async (
  app,
  { media, issuer, maxUploadBytes },
) => {
  await useMultipart(app, maxUploadBytes, 1);

  app.get(
    '/media',
    { config: { scope: 'media:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(ItemSchema) } } },
    async (request) => {
      const list = parseListQuery(request.query, { folders: true });
      const page = await media.list(request.principal.environmentId, list);
      return listEnvelope([...page.folders.map(directoryItem), ...page.items.map(mediaItem)], page, list, { issuer, requestUrl: request.url });
    },
  );

  // One level of a folder: its items and the folders right below it (folders unless told not to).
  app.get(
    '/media/directory',
    { config: { scope: 'media:list' }, schema: { querystring: ListQuerySchema, response: { 200: ListSchema(ItemSchema) } } },
    async (request) => {
      const query: ListQuery = request.query;
      if (parseBoolean(query.includeItemsFromSubfolders, 'includeItemsFromSubfolders')) {
        throw new AppError('validation_failed', 'media/directory lists one folder level: use GET media with includeItemsFromSubfolders=true instead.');
      }
      // Folders are listed unless told otherwise (a page token carries its own choice).
      const withFolders = given(query.nextPageToken as string | undefined) === undefined ? { includeFolders: given(query.includeFolders) ?? 'true' } : {};
      const list = parseListQuery({ ...query, ...withFolders, includeItemsFromSubfolders: 'false' }, { folders: true });
      const page = await media.list(request.principal.environmentId, list);
      return listEnvelope([...page.folders.map(directoryItem), ...page.items.map(mediaItem)], page, list, { issuer, requestUrl: request.url });
    },
  );

  app.post(
    '/media',
    { config: { scope: 'media:write' }, schema: { querystring: LocationQuery, response: { 201: ItemSchema } } },
    async (request, reply) => {
      const { environmentId, actor } = request.principal;
      expectMultipart(request, maxUploadBytes);
      const watch = watchDisconnect(request);
      let created;
      try {
        const part = await firstFile(request, 'file', watch);
        created = await media.upload(environmentId, actor, locationOf(request.query), { fileName: part.filename, stream: part.file });
      } finally {
        watch.detach();
      }
      return reply.code(201).header('location', linkFrom(issuer, request.url, `/${created.id}`)).send(mediaItem(created));
    },
  );

  app.get(
    '/media/:id',
    { config: { scope: 'media:read' }, schema: { params: IdParams, response: { 200: SingleSchema } } },
    async (request) => {
      const row = await media.get(request.principal.environmentId, request.params.id);
      const link = (suffix: string) => linkFrom(issuer, request.url, suffix);
      const previews = Object.fromEntries(PREVIEW_TYPES.map((type) => [type, link(`/preview/${type}`)])) as Record<PreviewType, string>;
      return { data: mediaItem(row), links: { download: link('/download'), ...previews } };
    },
  );

  app.get('/media/:id/download', { config: { scope: 'media:read' }, schema: { params: IdParams } }, async (request, reply) => {
    const { media: row, file } = await media.download(request.principal.environmentId, request.params.id);
    const svg = row.format === 'svg';
    try {
      return await sendFile(request, reply, file, {
        cacheControl: DOWNLOAD_CACHE,
        disposition: { type: svg ? 'attachment' : 'inline', fileName: row.name },
        ...(svg ? { headers: SVG_HEADERS } : {}),
      });
    } catch (error) {
      throw missingBytes(error);
    }
  });

  const preview = async (request: FastifyRequest, reply: FastifyReply, id: string, type: PreviewType) => {
    const { environmentId } = request.principal;
    const answer = await media.preview(environmentId, id, type);
    if (answer.kind === 'pending') return pending(reply);
    if (answer.kind === 'bytes') {
      const file = { size: answer.bytes.length, etag: answer.etag, contentType: answer.contentType, open: async () => Readable.from([answer.bytes]) };
      return sendFile(request, reply, file, { cacheControl: PREVIEW_CACHE });
    }
    const svg = answer.original && answer.media.format === 'svg';
    try {
      return await sendFile(request, reply, answer.file, {
        cacheControl: answer.original ? DOWNLOAD_CACHE : PREVIEW_CACHE,
        ...(svg ? { disposition: { type: 'attachment' as const, fileName: answer.media.name }, headers: SVG_HEADERS } : {}),
      });
    } catch (error) {
      // The rendition's row exists but its bytes are gone (a wiped data dir): make it again.
      if (!(error instanceof FileMissingError) || answer.original) throw missingBytes(error);
      await media.regenerate(environmentId, answer.media, type);
      reply.removeHeader('etag').removeHeader('content-length').removeHeader('content-range');
      return pending(reply);
    }
  };

  app.get(
    '/media/:id/preview/:type',
    { config: { scope: 'media:read' }, schema: { params: PreviewParams } },
    async (request, reply) => preview(request, reply, request.params.id, parsePreviewType(request.params.type)),
  );

  app.get(
    '/media/:id/preview',
    { config: { scope: 'media:read' }, schema: { params: IdParams, querystring: PreviewQuery } },
    async (request, reply) => preview(request, reply, request.params.id, parsePreviewType(given(request.query.previewType))),
  );

  app.patch(
    '/media/:id',
    { config: { scope: 'media:write' }, schema: { params: IdParams, body: PatchBody, response: { 200: ItemSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return mediaItem(await media.move(environmentId, actor, request.params.id, request.body));
    },
  );

  app.delete(
    '/media/:id',
    { config: { scope: 'media:write' }, schema: { params: IdParams, response: { 200: ItemSchema } } },
    async (request) => {
      const { environmentId, actor } = request.principal;
      return mediaItem(await media.delete(environmentId, actor, request.params.id));
    },
  );
};

/** SPEC §4: 202 with no body while the preview is generated; the client asks the same URL again. */
function pending(reply: FastifyReply): FastifyReply {
  return reply.code(202).header('cache-control', 'no-store').header('retry-after', '1').send();
}

/** An original whose bytes are gone is the server's failure (logged), never the client's. */
function missingBytes(error: unknown): unknown {
  if (!(error instanceof FileMissingError)) return error;
  return new AppError('server_error', 'The stored file is missing.', { detail: error.message });
}
