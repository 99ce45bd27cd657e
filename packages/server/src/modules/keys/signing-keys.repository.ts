import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type SigningKeyRow = Database['signing_keys'];

/** Signing keys are deployment-wide (one issuer), not per environment. */
export class SigningKeysRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): SigningKeysRepository {
    return new SigningKeysRepository(trx);
  }

  /** Every key that may still sign or verify: not revoked, not yet unpublished. */
  live(now: number): Promise<SigningKeyRow[]> {
    return this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('unpublish_at', 'is', null), eb('unpublish_at', '>', now)]))
      .orderBy('activates_at')
      .execute();
  }

  async insert(row: SigningKeyRow): Promise<void> {
    await this.db.insertInto('signing_keys').values(row).execute();
  }

  async retire(kid: string, patch: Pick<SigningKeyRow, 'retires_at' | 'unpublish_at' | 'revoked_at'>): Promise<void> {
    await this.db.updateTable('signing_keys').set(patch).where('kid', '=', kid).execute();
  }

  /** Emergency rotation: the retired key's reusable tokens must never be handed out again. */
  async deleteReusableTokensOf(kid: string): Promise<void> {
    await this.db.deleteFrom('reusable_tokens').where('kid', '=', kid).execute();
  }
}
