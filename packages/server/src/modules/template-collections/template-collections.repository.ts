import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { keysetAfter, searchMatches } from '../environment-api/keyset.ts';
import type { SortOrder } from '../environment-api/paging.ts';

export type CollectionRow = Database['template_collections'];
export type CollectionSummary = Omit<CollectionRow, 'environment_id'> & { template_count: number };

export interface CollectionListing {
  search: string | null;
  sortBy: 'name' | 'id';
  sortOrder: SortOrder;
  after: string[] | null;
  limit: number;
}

/** Sort columns in the order of paging.ts's `sortKeyOf`. */
const SORT_COLUMNS = {
  name: ['c.name_key', 'c.id'],
  id: ['c.id'],
} as const;

/** The only code that reads or writes template collections and their memberships. */
export class TemplateCollectionsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): TemplateCollectionsRepository {
    return new TemplateCollectionsRepository(trx);
  }

  /** Collections with their template count: one correlated count, served by the membership key. */
  private summaries(environmentId: string) {
    return this.db
      .selectFrom('template_collections as c')
      .select(['c.id', 'c.name', 'c.name_key', 'c.description', 'c.created_at', 'c.updated_at'])
      .select((eb) =>
        eb
          .selectFrom('template_collection_templates as m')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('m.collection_id', '=', 'c.id')
          .where('m.environment_id', '=', environmentId)
          .as('template_count'),
      )
      .where('c.environment_id', '=', environmentId);
  }

  async find(environmentId: string, id: string): Promise<CollectionSummary | undefined> {
    const row = await this.summaries(environmentId).where('c.id', '=', id).executeTakeFirst();
    return row && { ...row, template_count: Number(row.template_count ?? 0) };
  }

  /** The collection of that name (case-insensitive), if any. */
  findByName(environmentId: string, nameKey: string): Promise<{ id: string } | undefined> {
    return this.db
      .selectFrom('template_collections')
      .select('id')
      .where('environment_id', '=', environmentId)
      .where('name_key', '=', nameKey)
      .executeTakeFirst();
  }

  async insert(row: CollectionRow): Promise<void> {
    await this.db.insertInto('template_collections').values(row).execute();
  }

  async update(environmentId: string, id: string, patch: Partial<Pick<CollectionRow, 'name' | 'name_key' | 'description' | 'updated_at'>>): Promise<void> {
    await this.db.updateTable('template_collections').set(patch).where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  /** Deletes the collection and its memberships (never the templates). */
  async delete(environmentId: string, id: string): Promise<void> {
    await this.db.deleteFrom('template_collection_templates').where('environment_id', '=', environmentId).where('collection_id', '=', id).execute();
    await this.db.deleteFrom('template_collections').where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  async hasTemplate(environmentId: string, id: string, templateId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('template_collection_templates')
      .select('template_id')
      .where('environment_id', '=', environmentId)
      .where('collection_id', '=', id)
      .where('template_id', '=', templateId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async addTemplate(environmentId: string, id: string, templateId: string, now: number): Promise<void> {
    await this.db
      .insertInto('template_collection_templates')
      .values({ collection_id: id, template_id: templateId, environment_id: environmentId, added_at: now })
      .execute();
  }

  /** Answers whether the template was in the collection. */
  async removeTemplate(environmentId: string, id: string, templateId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('template_collection_templates')
      .where('environment_id', '=', environmentId)
      .where('collection_id', '=', id)
      .where('template_id', '=', templateId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async list(environmentId: string, listing: CollectionListing): Promise<CollectionSummary[]> {
    const columns = SORT_COLUMNS[listing.sortBy];
    let query = this.summaries(environmentId);
    if (listing.search) query = query.where(searchMatches('c.name_key', 'c.id', listing.search));
    if (listing.after) query = query.where(keysetAfter(columns, listing.after, listing.sortOrder));
    for (const column of columns) query = query.orderBy(sql.ref(column), listing.sortOrder);
    const rows = await query.limit(listing.limit).execute();
    return rows.map((row) => ({ ...row, template_count: Number(row.template_count ?? 0) }));
  }

  async count(environmentId: string, search: string | null): Promise<number> {
    let query = this.db
      .selectFrom('template_collections as c')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('c.environment_id', '=', environmentId);
    if (search) query = query.where(searchMatches('c.name_key', 'c.id', search));
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
