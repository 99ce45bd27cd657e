import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type ActivityRow = Database['integration_activity'];

/** The only code that reads or writes hourly activity counters. */
export class ActivityRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): ActivityRepository {
    return new ActivityRepository(trx);
  }

  /** Adds counts to their hours: one upsert per row, counts summed with what other nodes wrote. */
  async add(rows: ActivityRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('integration_activity')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['integration_id', 'hour']).doUpdateSet((eb) => ({
          minted: eb('integration_activity.minted', '+', eb.ref('excluded.minted')),
          reused: eb('integration_activity.reused', '+', eb.ref('excluded.reused')),
          refused: eb('integration_activity.refused', '+', eb.ref('excluded.refused')),
        })),
      )
      .execute();
  }

  list(environmentId: string, integrationId: string, from: number, to: number): Promise<ActivityRow[]> {
    return this.db
      .selectFrom('integration_activity')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('integration_id', '=', integrationId)
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .orderBy('hour')
      .execute();
  }

  async deleteOlderThan(cutoff: number): Promise<void> {
    await this.db.deleteFrom('integration_activity').where('hour', '<', cutoff).execute();
  }
}
