import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type AuditRow = Database['audit_log'];

export interface AuditFilters {
  actorType?: string;
  actorId?: string;
  /** Exact action, or a prefix (`integration.`) when `actionPrefix` is set. */
  action?: string;
  actionPrefix?: string;
  targetId?: string;
  from?: number;
  to?: number;
}

/** Rows per INSERT: 12 columns each keeps every statement far below both dialects' parameter limits. */
export const AUDIT_INSERT_CHUNK = 400;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The only code that reads or writes the audit log. Lists are always scoped: one environment, or platform events. */
export class AuditRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): AuditRepository {
    return new AuditRepository(trx);
  }

  async insertMany(rows: AuditRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto('audit_log').values(rows).execute();
  }

  /**
   * Newest first, keyset-paged on (at, id). `environmentId` null lists platform events (sign-ins,
   * people, personal access tokens, refusals of unknown clients).
   */
  list(environmentId: string | null, filters: AuditFilters, limit: number, before?: { at: number; id: string }): Promise<AuditRow[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    query = environmentId === null ? query.where('environment_id', 'is', null) : query.where('environment_id', '=', environmentId);
    if (filters.actorType) query = query.where('actor_type', '=', filters.actorType);
    if (filters.actorId) query = query.where('actor_id', '=', filters.actorId);
    if (filters.action) query = query.where('action', '=', filters.action);
    if (filters.actionPrefix) query = query.where(sql<boolean>`action like ${`${escapeLike(filters.actionPrefix)}%`} escape '\\'`);
    if (filters.targetId) query = query.where('target_id', '=', filters.targetId);
    if (filters.from !== undefined) query = query.where('at', '>=', filters.from);
    if (filters.to !== undefined) query = query.where('at', '<', filters.to);
    if (before) query = query.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
    return query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Deletes rows older than `cutoff` a chunk at a time, so no statement holds a lock for long. */
  async deleteOlderThan(cutoff: number, chunk = 5000): Promise<number> {
    let total = 0;
    while (true) {
      const ids = await this.db.selectFrom('audit_log').select('id').where('at', '<', cutoff).limit(chunk).execute();
      if (ids.length === 0) return total;
      await this.db
        .deleteFrom('audit_log')
        .where(
          'id',
          'in',
          ids.map((row) => row.id),
        )
        .execute();
      total += ids.length;
      if (ids.length < chunk) return total;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
