import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { keysetAfter, searchMatches } from '../environment-api/keyset.ts';
import type { SortBy, SortOrder } from '../environment-api/paging.ts';

export type FamilyRow = Database['font_families'];
export type StyleRow = Database['font_styles'];
export type BatchRow = Database['font_upload_batches'];
export type BatchItemRow = Database['font_upload_items'];

/** A family with what its list item shows about its styles. */
export interface FamilySummary extends FamilyRow {
  style_count: number;
  extensions: string[];
}

/** A style with its family's name. */
export interface StyleSummary extends StyleRow {
  family_name: string;
}

export interface Listing {
  search: string | null;
  sortBy: SortBy;
  sortOrder: SortOrder;
  after: string[] | null;
  limit: number;
}

/** Fonts have no folders: name (then id) or id. */
const columns = (table: 'font_families' | 'font_styles', sortBy: SortBy): string[] =>
  sortBy === 'id' ? [`${table}.id`] : [`${table}.name_key`, `${table}.id`];

/** The only code that reads or writes fonts and font upload batches. Every method is scoped to one environment. */
export class FontsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): FontsRepository {
    return new FontsRepository(trx);
  }

  // ── Families ─────────────────────────────────────────────────────────────────────────────

  findFamily(environmentId: string, id: string): Promise<FamilyRow | undefined> {
    return this.db.selectFrom('font_families').selectAll().where('environment_id', '=', environmentId).where('id', '=', id).executeTakeFirst();
  }

  findFamilyByName(environmentId: string, nameKey: string): Promise<FamilyRow | undefined> {
    return this.db.selectFrom('font_families').selectAll().where('environment_id', '=', environmentId).where('name_key', '=', nameKey).executeTakeFirst();
  }

  async insertFamily(row: FamilyRow): Promise<void> {
    await this.db.insertInto('font_families').values(row).execute();
  }

  async touchFamily(environmentId: string, id: string, at: number): Promise<void> {
    await this.db.updateTable('font_families').set({ updated_at: at }).where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  async familiesByIds(environmentId: string, ids: readonly string[]): Promise<FamilyRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('font_families').selectAll().where('environment_id', '=', environmentId).where('id', 'in', [...ids]).execute();
  }

  async deleteFamilies(environmentId: string, ids: readonly string[]): Promise<void> {
    await this.db.deleteFrom('font_styles').where('environment_id', '=', environmentId).where('family_id', 'in', [...ids]).execute();
    await this.db.deleteFrom('font_families').where('environment_id', '=', environmentId).where('id', 'in', [...ids]).execute();
  }

  async listFamilies(environmentId: string, listing: Listing): Promise<FamilyRow[]> {
    const order = columns('font_families', listing.sortBy);
    let query = this.db.selectFrom('font_families').selectAll().where('environment_id', '=', environmentId);
    if (listing.search) query = query.where(searchMatches('font_families.name_key', 'font_families.id', listing.search));
    if (listing.after) query = query.where(keysetAfter(order, listing.after, listing.sortOrder));
    for (const column of order) query = query.orderBy(sql.ref(column), listing.sortOrder);
    return query.limit(listing.limit).execute();
  }

  async countFamilies(environmentId: string, search: string | null): Promise<number> {
    let query = this.db
      .selectFrom('font_families')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('environment_id', '=', environmentId);
    if (search) query = query.where(searchMatches('font_families.name_key', 'font_families.id', search));
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  /** Style counts and distinct extensions of the given families, in one query. */
  async summarize(environmentId: string, families: FamilyRow[]): Promise<FamilySummary[]> {
    if (families.length === 0) return [];
    const rows = await this.db
      .selectFrom('font_styles')
      .select(['family_id', 'extension', (eb) => eb.fn.countAll<number>().as('n')])
      .where('environment_id', '=', environmentId)
      .where(
        'family_id',
        'in',
        families.map((family) => family.id),
      )
      .groupBy(['family_id', 'extension'])
      .execute();
    return families.map((family) => {
      const mine = rows.filter((row) => row.family_id === family.id);
      return {
        ...family,
        style_count: mine.reduce((sum, row) => sum + Number(row.n), 0),
        extensions: mine.map((row) => row.extension).sort(),
      };
    });
  }

  // ── Styles ───────────────────────────────────────────────────────────────────────────────

  findStyle(environmentId: string, id: string): Promise<StyleSummary | undefined> {
    return this.styles(environmentId).where('font_styles.id', '=', id).executeTakeFirst();
  }

  findStyleByName(environmentId: string, familyId: string, nameKey: string): Promise<StyleRow | undefined> {
    return this.db
      .selectFrom('font_styles')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('family_id', '=', familyId)
      .where('name_key', '=', nameKey)
      .executeTakeFirst();
  }

  async insertStyle(row: StyleRow): Promise<void> {
    await this.db.insertInto('font_styles').values(row).execute();
  }

  stylesByIds(environmentId: string, ids: readonly string[]): Promise<StyleRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('font_styles').selectAll().where('environment_id', '=', environmentId).where('id', 'in', [...ids]).execute();
  }

  stylesOfFamilies(environmentId: string, familyIds: readonly string[]): Promise<StyleRow[]> {
    if (familyIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('font_styles').selectAll().where('environment_id', '=', environmentId).where('family_id', 'in', [...familyIds]).execute();
  }

  async deleteStyles(environmentId: string, ids: readonly string[]): Promise<void> {
    await this.db.deleteFrom('font_styles').where('environment_id', '=', environmentId).where('id', 'in', [...ids]).execute();
  }

  listStyles(environmentId: string, familyId: string, listing: Listing): Promise<StyleSummary[]> {
    const order = columns('font_styles', listing.sortBy);
    let query = this.styles(environmentId).where('font_styles.family_id', '=', familyId);
    if (listing.search) query = query.where(searchMatches('font_styles.name_key', 'font_styles.id', listing.search));
    if (listing.after) query = query.where(keysetAfter(order, listing.after, listing.sortOrder));
    for (const column of order) query = query.orderBy(sql.ref(column), listing.sortOrder);
    return query.limit(listing.limit).execute();
  }

  async countStyles(environmentId: string, familyId: string, search: string | null): Promise<number> {
    let query = this.db
      .selectFrom('font_styles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('environment_id', '=', environmentId)
      .where('family_id', '=', familyId);
    if (search) query = query.where(searchMatches('font_styles.name_key', 'font_styles.id', search));
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  private styles(environmentId: string) {
    return this.db
      .selectFrom('font_styles')
      .innerJoin('font_families', 'font_families.id', 'font_styles.family_id')
      .selectAll('font_styles')
      .select('font_families.name as family_name')
      .where('font_styles.environment_id', '=', environmentId);
  }

  // ── Upload batches ───────────────────────────────────────────────────────────────────────

  /** A batch of this integration that has not expired. */
  findBatch(environmentId: string, integrationId: string, id: string, now: number): Promise<BatchRow | undefined> {
    return this.db
      .selectFrom('font_upload_batches')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('integration_id', '=', integrationId)
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirst();
  }

  batchItems(environmentId: string, batchId: string): Promise<BatchItemRow[]> {
    return this.db
      .selectFrom('font_upload_items')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('batch_id', '=', batchId)
      .orderBy('position')
      .execute();
  }

  async insertBatch(batch: BatchRow, items: BatchItemRow[]): Promise<void> {
    await this.db.insertInto('font_upload_batches').values(batch).execute();
    if (items.length) await this.db.insertInto('font_upload_items').values(items).execute();
  }

  async renameItem(environmentId: string, batchId: string, id: string, names: { family_name: string; style_name: string }): Promise<void> {
    await this.db
      .updateTable('font_upload_items')
      .set(names)
      .where('environment_id', '=', environmentId)
      .where('batch_id', '=', batchId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Deletes a batch (its items go with it, by foreign key) and answers whether this call did:
   * confirmation and expiry both claim a batch this way, so exactly one of them gets it.
   */
  async claimBatch(batchId: string, expiredBefore?: number): Promise<boolean> {
    let query = this.db.deleteFrom('font_upload_batches').where('id', '=', batchId);
    if (expiredBefore !== undefined) query = query.where('expires_at', '<=', expiredBefore);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  expiredBatches(now: number, limit: number): Promise<Pick<BatchRow, 'id' | 'environment_id'>[]> {
    return this.db.selectFrom('font_upload_batches').select(['id', 'environment_id']).where('expires_at', '<=', now).limit(limit).execute();
  }

  /** Items of a batch by id alone (the sweep, which works across environments). */
  itemsOfBatch(batchId: string): Promise<Pick<BatchItemRow, 'file_key'>[]> {
    return this.db.selectFrom('font_upload_items').select('file_key').where('batch_id', '=', batchId).execute();
  }
}
