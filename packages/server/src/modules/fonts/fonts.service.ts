import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { FileStore } from '../../infra/file-store/index.ts';
import { pageOf } from '../environment-api/pager.ts';
import type { ListRequest, Page } from '../environment-api/paging.ts';
import type { FileToSend } from '../media/media.service.ts';
import { etagOfSha256 } from '../media/media.service.ts';
import { FONT_CONTENT_TYPES, type FontFormat } from './font-reader.ts';
import type { FamilySummary, FontsRepository, StyleSummary } from './fonts.repository.ts';

/** At most this many ids in one `DELETE font-families?ids=…` or `DELETE font-styles?ids=…`. */
export const MAX_DELETE_IDS = 100;

const familyNotFound = () => new AppError('not_found', 'Font family not found.');
const styleNotFound = () => new AppError('not_found', 'Font style not found.');

/** Where font bytes live. */
export const fontKey = (environmentId: string, styleId: string) => `${environmentId}/fonts/${styleId}`;

/**
 * Font families and their styles (SPEC §4, GraFx's font-families and font-styles): reads and
 * deletes. A family is a name; each style is one font file of it. Uploads are in FontUploadsService.
 */
export class FontsService {
  constructor(
    private readonly repository: FontsRepository,
    private readonly store: FileStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: { now(): number },
  ) {}

  /** One page of families (by name or id; no folders). */
  families(environmentId: string, request: ListRequest): Promise<Page<FamilySummary, unknown>> {
    return pageOf(request, {
      count: () => this.repository.countFamilies(environmentId, request.search),
      items: async (after, limit) => {
        const rows = await this.repository.listFamilies(environmentId, { search: request.search, sortBy: request.sortBy, sortOrder: request.sortOrder, after, limit });
        return this.repository.summarize(environmentId, rows);
      },
      keysOf: (row) => (request.sortBy === 'id' ? [row.id] : [row.name_key, row.id]),
      folderPaths: async () => [],
    });
  }

  async family(environmentId: string, id: string): Promise<FamilySummary> {
    const row = await this.repository.findFamily(environmentId, id);
    if (!row) throw familyNotFound();
    return (await this.repository.summarize(environmentId, [row]))[0]!;
  }

  /** One page of a family's styles. */
  async styles(environmentId: string, familyId: string, request: ListRequest): Promise<Page<StyleSummary, unknown>> {
    if (!(await this.repository.findFamily(environmentId, familyId))) throw familyNotFound();
    return pageOf(request, {
      count: () => this.repository.countStyles(environmentId, familyId, request.search),
      items: (after, limit) =>
        this.repository.listStyles(environmentId, familyId, { search: request.search, sortBy: request.sortBy, sortOrder: request.sortOrder, after, limit }),
      keysOf: (row) => (request.sortBy === 'id' ? [row.id] : [row.name_key, row.id]),
      folderPaths: async () => [],
    });
  }

  async style(environmentId: string, id: string): Promise<StyleSummary> {
    return (await this.repository.findStyle(environmentId, id)) ?? Promise.reject(styleNotFound());
  }

  async download(environmentId: string, id: string): Promise<{ style: StyleSummary; file: FileToSend }> {
    const style = await this.style(environmentId, id);
    return {
      style,
      file: {
        size: Number(style.file_size),
        etag: etagOfSha256(style.sha256),
        contentType: FONT_CONTENT_TYPES[style.extension as FontFormat] ?? 'application/octet-stream',
        open: (range) => this.store.get(style.file_key, range),
      },
    };
  }

  /**
   * `DELETE font-families?ids=…`: the families, their styles and the styles' bytes. All or
   * nothing: an id that is not a family of this environment is a 404 and nothing is deleted.
   */
  async deleteFamilies(environmentId: string, actor: Actor, ids: string[]): Promise<void> {
    const keys = await this.unitOfWork.commit(
      { actor, audit: ids.map((id) => ({ environmentId, action: 'font_family.delete', target: { type: 'font_family', id } })) },
      async (trx) => {
        const repository = this.repository.withTransaction(trx);
        const found = await repository.familiesByIds(environmentId, ids);
        if (found.length !== ids.length) throw missing('Font families', ids, found.map((row) => row.id));
        const styles = await repository.stylesOfFamilies(environmentId, ids);
        await repository.deleteFamilies(environmentId, ids);
        return styles.map((style) => style.file_key);
      },
    );
    await this.removeBytes(keys);
  }

  /**
   * `DELETE font-styles?ids=…`: the styles and their bytes, all or nothing. Their families stay
   * (with fewer styles), as a family is deleted on its own.
   */
  async deleteStyles(environmentId: string, actor: Actor, ids: string[]): Promise<void> {
    const now = this.clock.now();
    const keys = await this.unitOfWork.commit(
      { actor, audit: ids.map((id) => ({ environmentId, action: 'font_style.delete', target: { type: 'font_style', id } })) },
      async (trx) => {
        const repository = this.repository.withTransaction(trx);
        const found = await repository.stylesByIds(environmentId, ids);
        if (found.length !== ids.length) throw missing('Font styles', ids, found.map((row) => row.id));
        await repository.deleteStyles(environmentId, ids);
        for (const familyId of new Set(found.map((style) => style.family_id))) await repository.touchFamily(environmentId, familyId, now);
        return found.map((style) => style.file_key);
      },
    );
    await this.removeBytes(keys);
  }

  /** After the commit: a failed commit must not have lost bytes. */
  private async removeBytes(keys: string[]): Promise<void> {
    for (const key of keys) await this.store.delete(key);
  }
}

function missing(what: string, wanted: string[], found: string[]): AppError {
  const absent = wanted.filter((id) => !found.includes(id));
  return new AppError('not_found', `${what} not found: ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ', …' : ''}. Nothing was deleted.`);
}

/**
 * `ids=a,b` (or `ids=a&ids=b`): distinct, non-empty, at most MAX_DELETE_IDS.
 *
 * @example parseIds('ff_1,ff_2') // ['ff_1', 'ff_2']
 */
export function parseIds(value: string | string[] | undefined): string[] {
  const ids = [...new Set((Array.isArray(value) ? value : [value ?? '']).flatMap((part) => part.split(',')).map((id) => id.trim()).filter(Boolean))];
  if (ids.length === 0) throw new AppError('validation_failed', 'ids is required: a comma-separated list of ids.');
  if (ids.length > MAX_DELETE_IDS) throw new AppError('validation_failed', `At most ${MAX_DELETE_IDS} ids at a time.`);
  if (ids.some((id) => id.length > 200)) throw new AppError('validation_failed', 'An id is too long.');
  return ids;
}
