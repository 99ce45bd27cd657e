import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { keysetAfter, searchMatches } from '../environment-api/keyset.ts';
import type { SortOrder } from '../environment-api/paging.ts';

export type ProjectRow = Database['projects'];
/** A project without its document. */
export type ProjectSummary = Pick<ProjectRow, 'id' | 'name' | 'name_key' | 'template_id' | 'created_at' | 'updated_at'>;

const SUMMARY = ['id', 'name', 'name_key', 'template_id', 'created_at', 'updated_at'] as const;

/** Whose projects: the environment and the integration that owns them (SPEC §4). */
export interface Owner {
  environmentId: string;
  integrationId: string;
}

export interface ProjectListing {
  search: string | null;
  sortBy: 'name' | 'id';
  sortOrder: SortOrder;
  after: string[] | null;
  limit: number;
}

const SORT_COLUMNS = { name: ['name_key', 'id'], id: ['id'] } as const;

/**
 * The only code that reads or writes projects. Every query is scoped to the environment and to
 * the owning integration: another integration's project is simply not found.
 */
export class ProjectsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): ProjectsRepository {
    return new ProjectsRepository(trx);
  }

  private owned(owner: Owner) {
    return this.db
      .selectFrom('projects')
      .where('environment_id', '=', owner.environmentId)
      .where('integration_id', '=', owner.integrationId);
  }

  find(owner: Owner, id: string): Promise<ProjectSummary | undefined> {
    return this.owned(owner).select(SUMMARY).where('id', '=', id).executeTakeFirst();
  }

  findDocument(owner: Owner, id: string): Promise<{ document: string; document_etag: string } | undefined> {
    return this.owned(owner).select(['document', 'document_etag']).where('id', '=', id).executeTakeFirst();
  }

  async insert(row: ProjectRow): Promise<void> {
    await this.db.insertInto('projects').values(row).execute();
  }

  async update(owner: Owner, id: string, patch: Partial<Pick<ProjectRow, 'name' | 'name_key' | 'document' | 'document_etag' | 'document_size' | 'updated_at'>>): Promise<void> {
    await this.db
      .updateTable('projects')
      .set(patch)
      .where('environment_id', '=', owner.environmentId)
      .where('integration_id', '=', owner.integrationId)
      .where('id', '=', id)
      .execute();
  }

  async delete(owner: Owner, id: string): Promise<void> {
    await this.db
      .deleteFrom('projects')
      .where('environment_id', '=', owner.environmentId)
      .where('integration_id', '=', owner.integrationId)
      .where('id', '=', id)
      .execute();
  }

  list(owner: Owner, listing: ProjectListing): Promise<ProjectSummary[]> {
    const columns = SORT_COLUMNS[listing.sortBy];
    let query = this.owned(owner).select(SUMMARY);
    if (listing.search) query = query.where(searchMatches('name_key', 'id', listing.search));
    if (listing.after) query = query.where(keysetAfter(columns, listing.after, listing.sortOrder));
    for (const column of columns) query = query.orderBy(sql.ref(column), listing.sortOrder);
    return query.limit(listing.limit).execute();
  }

  async count(owner: Owner, search: string | null): Promise<number> {
    let query = this.owned(owner).select((eb) => eb.fn.countAll<number>().as('n'));
    if (search) query = query.where(searchMatches('name_key', 'id', search));
    return Number((await query.executeTakeFirstOrThrow()).n);
  }
}
