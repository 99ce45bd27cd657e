import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type RevokedTokenRow = Database['revoked_tokens'];

/** The deny list of single tokens revoked before they expired (RFC 7009). */
export class RevokedTokensRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): RevokedTokensRepository {
    return new RevokedTokensRepository(trx);
  }

  async isRevoked(environmentId: string, jti: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('revoked_tokens')
      .select('jti')
      .where('environment_id', '=', environmentId)
      .where('jti', '=', jti)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insert(row: RevokedTokenRow): Promise<void> {
    await this.db.insertInto('revoked_tokens').values(row).onConflict((oc) => oc.column('jti').doNothing()).execute();
  }

  /** A revoked token's row is useless once the token would have expired anyway. */
  async deleteExpired(nowSeconds: number): Promise<void> {
    await this.db.deleteFrom('revoked_tokens').where('expires_at', '<', nowSeconds).execute();
  }
}
