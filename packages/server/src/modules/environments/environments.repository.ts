import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type EnvironmentRow = Database['environments'];

export class EnvironmentsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): EnvironmentsRepository {
    return new EnvironmentsRepository(trx);
  }

  async insert(row: EnvironmentRow): Promise<void> {
    await this.db.insertInto('environments').values(row).execute();
  }

  find(environmentId: string): Promise<EnvironmentRow | undefined> {
    return this.db.selectFrom('environments').selectAll().where('id', '=', environmentId).executeTakeFirst();
  }

  list(): Promise<EnvironmentRow[]> {
    return this.db.selectFrom('environments').selectAll().orderBy('id').execute();
  }

  async update(environmentId: string, patch: Partial<Omit<EnvironmentRow, 'id' | 'created_at'>>): Promise<void> {
    await this.db.updateTable('environments').set(patch).where('id', '=', environmentId).execute();
  }

  /** Deletes the environment; everything in it goes with it (foreign keys cascade). */
  async delete(environmentId: string): Promise<void> {
    await this.db.deleteFrom('environments').where('id', '=', environmentId).execute();
  }

  /** The longest token lifetime of any environment: retired signing keys stay published that long. */
  async maxTokenTtlSeconds(): Promise<number> {
    const row = await this.db
      .selectFrom('environments')
      .select((eb) => eb.fn.max('token_ttl_seconds').as('ttl'))
      .executeTakeFirst();
    return Number(row?.ttl ?? 0);
  }
}
