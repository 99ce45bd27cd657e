import { sql, type SelectQueryBuilder } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { belowFolder, inFolder, keysetAfter, searchMatches } from '../environment-api/keyset.ts';
import type { SortBy, SortOrder } from '../environment-api/paging.ts';

export type MediaRow = Database['media'];
export type PreviewRow = Database['media_previews'];

/** Which media a list covers: a folder (and below), a search. */
export interface MediaFilter {
  folder: string;
  includeSubfolders: boolean;
  search: string | null;
}

export interface MediaListing {
  filter: MediaFilter;
  sortBy: SortBy;
  sortOrder: SortOrder;
  after: string[] | null;
  limit: number;
}

/** Sort columns in the order of paging.ts's `sortKeyOf`. */
const SORT_COLUMNS: Record<SortBy, readonly string[]> = {
  name: ['media.name_key', 'media.id'],
  id: ['media.id'],
  relativePath: ['media.folder_path', 'media.name_key', 'media.id'],
};

type MediaQuery<O> = SelectQueryBuilder<Database, 'media', O>;

/** The only code that reads or writes media rows and their preview rows. Every method is scoped to one environment. */
export class MediaRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): MediaRepository {
    return new MediaRepository(trx);
  }

  find(environmentId: string, id: string): Promise<MediaRow | undefined> {
    return this.db.selectFrom('media').selectAll().where('environment_id', '=', environmentId).where('id', '=', id).executeTakeFirst();
  }

  /** The item of that name (case-insensitive) in that folder, if any. */
  findByName(environmentId: string, folderPath: string, nameKey: string): Promise<Pick<MediaRow, 'id'> | undefined> {
    return this.db
      .selectFrom('media')
      .select('id')
      .where('environment_id', '=', environmentId)
      .where('folder_path', '=', folderPath)
      .where('name_key', '=', nameKey)
      .executeTakeFirst();
  }

  async insert(row: MediaRow): Promise<void> {
    await this.db.insertInto('media').values(row).execute();
  }

  async update(environmentId: string, id: string, patch: Partial<Pick<MediaRow, 'name' | 'name_key' | 'folder_path' | 'updated_at'>>): Promise<void> {
    await this.db.updateTable('media').set(patch).where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  /** Deletes the item and its preview rows (their bytes are the caller's to remove). */
  async delete(environmentId: string, id: string): Promise<void> {
    await this.db.deleteFrom('media_previews').where('environment_id', '=', environmentId).where('media_id', '=', id).execute();
    await this.db.deleteFrom('media').where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  list(environmentId: string, listing: MediaListing): Promise<MediaRow[]> {
    const columns = SORT_COLUMNS[listing.sortBy];
    let query = this.filtered(environmentId, listing.filter, this.db.selectFrom('media').selectAll());
    if (listing.after) query = query.where(keysetAfter(columns, listing.after, listing.sortOrder));
    for (const column of columns) query = query.orderBy(sql.ref(column), listing.sortOrder);
    return query.limit(listing.limit).execute();
  }

  async count(environmentId: string, filter: MediaFilter): Promise<number> {
    const query = this.db.selectFrom('media').select((eb) => eb.fn.countAll<number>().as('n'));
    const row = await this.filtered(environmentId, filter, query).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Distinct folder paths strictly below `filter.folder` (folders exist where items are). */
  async folderPaths(environmentId: string, filter: MediaFilter): Promise<string[]> {
    const rows = await this.db
      .selectFrom('media')
      .select('folder_path')
      .distinct()
      .where('environment_id', '=', environmentId)
      .where(belowFolder('media.folder_path', filter.folder))
      .execute();
    return rows.map((row) => row.folder_path);
  }

  findPreview(environmentId: string, mediaId: string, rendition: string): Promise<PreviewRow | undefined> {
    return this.db
      .selectFrom('media_previews')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('media_id', '=', mediaId)
      .where('rendition', '=', rendition)
      .executeTakeFirst();
  }

  async deletePreview(environmentId: string, mediaId: string, rendition: string): Promise<void> {
    await this.db
      .deleteFrom('media_previews')
      .where('environment_id', '=', environmentId)
      .where('media_id', '=', mediaId)
      .where('rendition', '=', rendition)
      .execute();
  }

  /** Inserts or replaces a preview row (two nodes may generate the same preview: the last one wins). */
  async savePreview(row: PreviewRow): Promise<void> {
    await this.db
      .insertInto('media_previews')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['media_id', 'rendition']).doUpdateSet({
          status: row.status,
          content_type: row.content_type,
          file_key: row.file_key,
          size: row.size,
          sha256: row.sha256,
          width: row.width,
          height: row.height,
          failure: row.failure,
          created_at: row.created_at,
        }),
      )
      .execute();
  }

  /** Environments that still exist, of those given (for the orphan-file sweep). */
  async existingEnvironments(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('environments').select('id').where('id', 'in', [...ids]).execute();
    return new Set(rows.map((row) => row.id));
  }

  private filtered<O>(environmentId: string, filter: MediaFilter, query: MediaQuery<O>): MediaQuery<O> {
    let scoped = query.where('media.environment_id', '=', environmentId).where(inFolder('media.folder_path', filter.folder, filter.includeSubfolders));
    if (filter.search) scoped = scoped.where(searchMatches('media.name_key', 'media.id', filter.search));
    return scoped;
  }
}
