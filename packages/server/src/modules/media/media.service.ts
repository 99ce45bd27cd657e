import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import type { ByteRange, FileStore } from '../../infra/file-store/index.ts';
import { conflictOnUniqueViolation } from '../environment-api/keyset.ts';
import { pageOf, type FolderEntry } from '../environment-api/pager.ts';
import { sortKeyOf, type ListRequest, type Page } from '../environment-api/paging.ts';
import { normalizeFolderPath, ROOT, validateItemName } from '../environment-api/paths.ts';
import { applyMove, readMove } from '../environment-api/move.ts';
import { stageUpload } from '../environment-api/staging.ts';
import type { WorkLimiter } from './image-work.ts';
import { inspectMedia } from './inspect.ts';
import type { MediaRepository, MediaRow } from './media.repository.ts';
import { placeholderPreview } from './placeholder.ts';
import { mediaPrefix, type PreviewQueue } from './previews.ts';
import { groupOf, planPreview, type PreviewType } from './renditions.ts';
import { SNIFF_BYTES, sniffMedia, type SniffedType } from './sniff.ts';

export const newMediaId = () => `med_${randomBase62(22)}`;

/** An upload as the route hands it over: the client's file name and the bytes, still arriving. */
export interface IncomingFile {
  fileName: string | undefined;
  stream: Readable;
}

export interface MediaLocation {
  name?: string | undefined;
  folderPath?: string | undefined;
}

/** A stored file to send: its size, strong ETag and a way to read it (or part of it). */
export interface FileToSend {
  size: number;
  etag: string;
  contentType: string;
  open(range?: ByteRange): Promise<Readable>;
}

/** What a preview request answers: a file (original or rendition), a placeholder, or "not yet". */
export type PreviewAnswer =
  | { kind: 'file'; file: FileToSend; media: MediaRow; original: boolean }
  | { kind: 'bytes'; bytes: Buffer; contentType: string; etag: string }
  | { kind: 'pending' };

/** Outcomes of an upload, for whoever watches (tests await them instead of sleeping). */
export interface UploadSettled {
  environmentId: string;
  outcome: 'stored' | 'refused';
  error?: unknown;
}

const notFound = () => new AppError('not_found', 'Media item not found.');
/** `closing`: refused while the client may still be sending an upload, so the connection ends after the answer. */
const duplicate = (name: string, folder: string, closing = false) =>
  new AppError('conflict', `A media item named "${name}" already exists in folder ${folder}; names are unique per folder (case-insensitive).`, {
    ...(closing ? { headers: { connection: 'close' } } : {}),
  });

/** `"…"`: the strong ETag (RFC 9110 §8.8.3) of bytes whose hex SHA-256 is given. */
export const etagOfSha256 = (hex: string): string => `"${Buffer.from(hex, 'hex').toString('base64url')}"`;

/** The last segment of a client's file name (browsers send bare names; old ones sent paths). */
export function baseName(fileName: string | undefined): string | undefined {
  if (!fileName) return undefined;
  const name = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return name === '' ? undefined : name;
}

/**
 * Media of an environment (SPEC §4): uploaded images and documents with a name and a folder,
 * their bytes in the file store, previews generated in the background. Names are unique per
 * folder, case-insensitively, as templates'.
 */
export class MediaService {
  /** `started` (first bytes of an upload arrived) and `settled` (UploadSettled) events. */
  readonly uploads = new EventEmitter();

  constructor(
    private readonly repository: MediaRepository,
    private readonly store: FileStore,
    readonly previews: PreviewQueue,
    private readonly limiter: WorkLimiter,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    /** LATCHKEY_MAX_UPLOAD_BYTES. */
    readonly maxUploadBytes: number,
  ) {}

  /** One page of media (and folders, when asked). */
  list(environmentId: string, request: ListRequest): Promise<Page<MediaRow, FolderEntry>> {
    const filter = { folder: request.folder, includeSubfolders: request.includeSubfolders, search: request.search };
    return pageOf(request, {
      count: () => this.repository.count(environmentId, filter),
      items: (after, limit) => this.repository.list(environmentId, { filter, sortBy: request.sortBy, sortOrder: request.sortOrder, after, limit }),
      keysOf: (row) => sortKeyOf(request.sortBy, { id: row.id, nameKey: row.name_key, folder: row.folder_path }),
      folderPaths: () => this.repository.folderPaths(environmentId, filter),
    });
  }

  async get(environmentId: string, id: string): Promise<MediaRow> {
    return (await this.repository.find(environmentId, id)) ?? Promise.reject(notFound());
  }

  /**
   * `POST media?folderPath=&name=`: the name and folder are checked before a byte is read, the
   * type from the first bytes (415 at once), the size as the bytes arrive (413 at the limit),
   * and the whole file is decoded before it is stored (400 when damaged). Only then does it land
   * in the file store and its row commit; any failure on the way leaves neither.
   */
  async upload(environmentId: string, actor: Actor, location: MediaLocation, file: IncomingFile): Promise<MediaRow> {
    try {
      const row = await this.receive(environmentId, actor, location, file);
      this.uploads.emit('settled', { environmentId, outcome: 'stored' } satisfies UploadSettled);
      return row;
    } catch (error) {
      file.stream.destroy();
      this.uploads.emit('settled', { environmentId, outcome: 'refused', error } satisfies UploadSettled);
      throw error;
    }
  }

  private async receive(environmentId: string, actor: Actor, location: MediaLocation, file: IncomingFile): Promise<MediaRow> {
    const folderPath = location.folderPath === undefined ? ROOT : normalizeFolderPath(location.folderPath);
    const rawName = location.name ?? baseName(file.fileName);
    if (rawName === undefined) throw new AppError('validation_failed', 'name is required: give ?name=… or a file name in the multipart part.');
    const name = validateItemName(rawName);
    const nameKey = name.toLowerCase();
    if (await this.repository.findByName(environmentId, folderPath, nameKey)) throw duplicate(name, folderPath, true);

    let type: SniffedType | undefined;
    const staged = await stageUpload(file.stream, {
      dir: this.store.scratchDir,
      maxBytes: this.maxUploadBytes,
      headBytes: SNIFF_BYTES,
      onHead: (head) => {
        type = sniffMedia(head);
        this.uploads.emit('started', { environmentId });
      },
    });
    try {
      const inspection = await this.limiter.run(() => inspectMedia(staged.path, type!, staged.size), { urgent: true });
      const id = newMediaId();
      const key = `${mediaPrefix(environmentId, id)}original`;
      await this.store.putFile(key, staged.path, { size: staged.size, sha256: staged.sha256 });
      const now = this.clock.now();
      const row: MediaRow = {
        id,
        environment_id: environmentId,
        name,
        name_key: nameKey,
        folder_path: folderPath,
        format: type!.format,
        content_type: type!.contentType,
        extension: type!.extension,
        width: inspection.width,
        height: inspection.height,
        meta_data: JSON.stringify(inspection.metaData),
        file_key: key,
        file_size: staged.size,
        sha256: staged.sha256,
        created_at: now,
        updated_at: now,
      };
      const audit = {
        environmentId,
        action: 'media.create',
        target: { type: 'media', id },
        changes: { name, folderPath, format: row.format, size: row.file_size },
      };
      try {
        await conflictOnUniqueViolation(
          () => duplicate(name, folderPath),
          () =>
            this.unitOfWork.commit({ actor, audit }, async (trx) => {
              const repository = this.repository.withTransaction(trx);
              if (await repository.findByName(environmentId, folderPath, nameKey)) throw duplicate(name, folderPath);
              await repository.insert(row);
            }),
        );
      } catch (error) {
        await this.store.deletePrefix(mediaPrefix(environmentId, id));
        throw error;
      }
      this.previews.enqueue(environmentId, id, 'standard');
      return row;
    } finally {
      // Consumed by putFile when it got that far; otherwise the scratch copy goes here.
      await rm(staged.path, { force: true });
    }
  }

  /** `PATCH media/{id}` `{name?, folderPath?}`: renames and/or moves. */
  async move(environmentId: string, actor: Actor, id: string, location: MediaLocation): Promise<MediaRow> {
    const move = readMove(location, 'Send name and/or folderPath to rename or move the item.');
    const now = this.clock.now();
    const audit = { environmentId, action: 'media.move', target: { type: 'media', id }, changes: move.changes };
    const target = { name: move.name ?? '', folder: move.folder ?? ROOT };
    return conflictOnUniqueViolation(
      () => duplicate(target.name, target.folder),
      () =>
        this.unitOfWork.commit({ actor, audit }, (trx) =>
          applyMove(this.repository.withTransaction(trx), environmentId, id, move, now, { notFound, duplicate: (name, folder) => duplicate(name, folder) }, target),
        ),
    );
  }

  /** `DELETE media/{id}`: the row and its preview rows, then the original's and previews' bytes. */
  async delete(environmentId: string, actor: Actor, id: string): Promise<MediaRow> {
    const changes: Record<string, unknown> = {};
    const audit = { environmentId, action: 'media.delete', target: { type: 'media', id }, changes };
    const deleted = await this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(environmentId, id);
      if (!current) throw notFound();
      Object.assign(changes, { name: current.name, folderPath: current.folder_path });
      await repository.delete(environmentId, id);
      return current;
    });
    // After the commit: a failed commit must not have lost the bytes. A preview job running now
    // removes what it writes once it sees the row gone (previews.ts).
    await this.store.deletePrefix(mediaPrefix(environmentId, id));
    return deleted;
  }

  /** The original bytes of an item. */
  async download(environmentId: string, id: string): Promise<{ media: MediaRow; file: FileToSend }> {
    const media = await this.get(environmentId, id);
    return { media, file: this.originalOf(media) };
  }

  /**
   * A preview: the rendition when it is ready (queued when it is not: after a restart, on another
   * node, or when it was never generated), the original for vector types, a placeholder for PDFs.
   */
  async preview(environmentId: string, id: string, type: PreviewType): Promise<PreviewAnswer> {
    const media = await this.get(environmentId, id);
    const plan = planPreview(media, type);
    if (plan.kind === 'original') return { kind: 'file', file: this.originalOf(media), media, original: true };
    if (plan.kind === 'placeholder') {
      const placeholder = await placeholderPreview(media.format === 'pdf' ? 'pdf' : 'svg', plan.longEdge);
      return { kind: 'bytes', ...placeholder };
    }
    const row = await this.repository.findPreview(environmentId, id, plan.rendition);
    if (!row) {
      this.previews.enqueue(environmentId, id, groupOf(plan.rendition));
      return { kind: 'pending' };
    }
    if (row.status === 'failed' || !row.file_key) {
      throw new AppError('unsupported_media_type', `A ${type} preview of this ${media.format.toUpperCase()} file cannot be generated; download the original instead.`, {
        detail: row.failure ?? 'preview failed',
      });
    }
    const fileKey = row.file_key;
    return {
      kind: 'file',
      media,
      original: false,
      file: {
        size: Number(row.size),
        etag: etagOfSha256(row.sha256!),
        contentType: row.content_type!,
        open: (range) => this.store.get(fileKey, range),
      },
    };
  }

  /** A rendition whose row exists but whose bytes are gone (a wiped disk): generate it again. */
  async regenerate(environmentId: string, media: MediaRow, type: PreviewType): Promise<void> {
    const plan = planPreview(media, type);
    if (plan.kind !== 'rendition') return;
    await this.repository.deletePreview(environmentId, media.id, plan.rendition);
    this.previews.enqueue(environmentId, media.id, groupOf(plan.rendition));
  }

  private originalOf(media: MediaRow): FileToSend {
    return {
      size: Number(media.file_size),
      etag: etagOfSha256(media.sha256),
      contentType: media.content_type,
      open: (range) => this.store.get(media.file_key, range),
    };
  }

  /** A concurrent writer may take the name between our check and our write: still a 409. */
}
