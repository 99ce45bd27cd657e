import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type ReusableTokenRow = Database['reusable_tokens'];

/** One row per (integration, generation, audience, scope set): the token every node hands out. */
export class ReusableTokensRepository {
  constructor(private readonly db: DbOrTrx) {}

  /**
   * Keeps an integration's newest `keep` rows: a client asking for ever new scope subsets (2^17
   * of them) must not grow the table without bound. A dropped row only costs a fresh mint.
   */
  async trim(environmentId: string, integrationId: string, keep: number): Promise<void> {
    const beyond = await this.db
      .selectFrom('reusable_tokens')
      .select('cache_key')
      .where('environment_id', '=', environmentId)
      .where('integration_id', '=', integrationId)
      .orderBy('issued_at', 'desc')
      .orderBy('cache_key')
      .limit(1000)
      .offset(keep)
      .execute();
    if (beyond.length === 0) return;
    await this.db
      .deleteFrom('reusable_tokens')
      .where('environment_id', '=', environmentId)
      .where(
        'cache_key',
        'in',
        beyond.map((row) => row.cache_key),
      )
      .execute();
  }

  /** Revocation ends reuse: a revoked token is never handed out again. */
  async deleteByJti(environmentId: string, jti: string): Promise<void> {
    await this.db.deleteFrom('reusable_tokens').where('environment_id', '=', environmentId).where('jti', '=', jti).execute();
  }

  find(environmentId: string, cacheKey: string): Promise<ReusableTokenRow | undefined> {
    return this.db
      .selectFrom('reusable_tokens')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('cache_key', '=', cacheKey)
      .executeTakeFirst();
  }

  /** First writer wins; a loser's token is thrown away by the caller after re-reading. */
  async insertIfAbsent(row: ReusableTokenRow): Promise<void> {
    await this.db
      .insertInto('reusable_tokens')
      .values(row)
      .onConflict((oc) => oc.column('cache_key').doNothing())
      .execute();
  }

  /** Replaces a stale row only if nobody replaced it first (compare-and-set on the jti). */
  async replace(environmentId: string, staleJti: string, row: ReusableTokenRow): Promise<void> {
    await this.db
      .updateTable('reusable_tokens')
      .set(row)
      .where('environment_id', '=', environmentId)
      .where('cache_key', '=', row.cache_key)
      .where('jti', '=', staleJti)
      .execute();
  }

  async deleteExpired(now: number): Promise<void> {
    await this.db.deleteFrom('reusable_tokens').where('expires_at', '<=', Math.floor(now / 1000)).execute();
  }
}
