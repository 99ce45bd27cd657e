import { sql, type CompiledQuery, type SelectQueryBuilder } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { belowFolder, inFolder, keysetAfter, searchMatches } from '../environment-api/keyset.ts';
import type { SortBy, SortOrder } from '../environment-api/paging.ts';

export type TemplateRow = Database['templates'];
/** A template without its document: what every read but the download needs. */
export type TemplateSummary = Pick<TemplateRow, 'id' | 'name' | 'name_key' | 'folder_path' | 'created_at' | 'updated_at'>;

const SUMMARY = ['id', 'name', 'name_key', 'folder_path', 'created_at', 'updated_at'] as const;

/** Which templates a list covers: a folder (and below), a search, optionally one collection's. */
export interface TemplateFilter {
  folder: string;
  includeSubfolders: boolean;
  search: string | null;
  collectionId?: string;
}

export interface TemplateListing {
  filter: TemplateFilter;
  sortBy: SortBy;
  sortOrder: SortOrder;
  after: string[] | null;
  limit: number;
}

/** Sort columns in the order of paging.ts's `sortKeyOf`. */
export const TEMPLATE_SORT_COLUMNS: Record<SortBy, readonly string[]> = {
  name: ['templates.name_key', 'templates.id'],
  id: ['templates.id'],
  relativePath: ['templates.folder_path', 'templates.name_key', 'templates.id'],
};

type TemplateQuery<O> = SelectQueryBuilder<Database, 'templates', O>;

/** The only code that reads or writes templates. Every method is scoped to one environment. */
export class TemplatesRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): TemplatesRepository {
    return new TemplatesRepository(trx);
  }

  /**
   * The hottest read of the Environment API (GET templates/{id}): compiled once, then run with new
   * parameters, so a request does not pay for building and compiling the same query again.
   */
  async find(environmentId: string, id: string): Promise<TemplateSummary | undefined> {
    this.findQuery ??= this.db.selectFrom('templates').select(SUMMARY).where('environment_id', '=', '').where('id', '=', '').compile();
    const result = await this.db.executeQuery<TemplateSummary>({ ...this.findQuery, parameters: [environmentId, id] });
    return result.rows[0];
  }

  private findQuery: CompiledQuery<TemplateSummary> | undefined;

  findDocument(environmentId: string, id: string): Promise<{ document: string; document_etag: string } | undefined> {
    return this.db
      .selectFrom('templates')
      .select(['document', 'document_etag'])
      .where('environment_id', '=', environmentId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The template of that name (case-insensitive) in that folder, if any. */
  findByName(environmentId: string, folderPath: string, nameKey: string): Promise<TemplateSummary | undefined> {
    return this.db
      .selectFrom('templates')
      .select(SUMMARY)
      .where('environment_id', '=', environmentId)
      .where('folder_path', '=', folderPath)
      .where('name_key', '=', nameKey)
      .executeTakeFirst();
  }

  async insert(row: TemplateRow): Promise<void> {
    await this.db.insertInto('templates').values(row).execute();
  }

  async update(environmentId: string, id: string, patch: Partial<Omit<TemplateRow, 'id' | 'environment_id'>>): Promise<void> {
    await this.db.updateTable('templates').set(patch).where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  /** Deletes the template and its collection memberships; answers how many memberships went. */
  async delete(environmentId: string, id: string): Promise<number> {
    const memberships = await this.db
      .deleteFrom('template_collection_templates')
      .where('environment_id', '=', environmentId)
      .where('template_id', '=', id)
      .executeTakeFirst();
    await this.db.deleteFrom('templates').where('environment_id', '=', environmentId).where('id', '=', id).execute();
    return Number(memberships.numDeletedRows);
  }

  async collectionCount(environmentId: string, id: string): Promise<number> {
    const row = await this.db
      .selectFrom('template_collection_templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('environment_id', '=', environmentId)
      .where('template_id', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  list(environmentId: string, listing: TemplateListing): Promise<TemplateSummary[]> {
    const columns = TEMPLATE_SORT_COLUMNS[listing.sortBy];
    let query = this.filtered(environmentId, listing.filter, this.db.selectFrom('templates').select(SUMMARY));
    if (listing.after) query = query.where(keysetAfter(columns, listing.after, listing.sortOrder));
    for (const column of columns) query = query.orderBy(sql.ref(column), listing.sortOrder);
    return query.limit(listing.limit).execute();
  }

  async count(environmentId: string, filter: TemplateFilter): Promise<number> {
    const query = this.db.selectFrom('templates').select((eb) => eb.fn.countAll<number>().as('n'));
    const row = await this.filtered(environmentId, filter, query).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Distinct folder paths strictly below `filter.folder` (search does not narrow folders here). */
  async folderPaths(environmentId: string, filter: TemplateFilter): Promise<string[]> {
    let query = this.db
      .selectFrom('templates')
      .select('folder_path')
      .distinct()
      .where('environment_id', '=', environmentId)
      .where(belowFolder('templates.folder_path', filter.folder));
    if (filter.collectionId) query = query.where('id', 'in', this.members(environmentId, filter.collectionId));
    return (await query.execute()).map((row) => row.folder_path);
  }

  private filtered<O>(environmentId: string, filter: TemplateFilter, query: TemplateQuery<O>): TemplateQuery<O> {
    let scoped = query
      .where('templates.environment_id', '=', environmentId)
      .where(inFolder('templates.folder_path', filter.folder, filter.includeSubfolders));
    if (filter.search) scoped = scoped.where(searchMatches('templates.name_key', 'templates.id', filter.search));
    if (filter.collectionId) scoped = scoped.where('templates.id', 'in', this.members(environmentId, filter.collectionId));
    return scoped;
  }

  private members(environmentId: string, collectionId: string) {
    return this.db
      .selectFrom('template_collection_templates')
      .select('template_id')
      .where('environment_id', '=', environmentId)
      .where('collection_id', '=', collectionId);
  }
}
