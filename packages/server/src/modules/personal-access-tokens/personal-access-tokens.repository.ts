import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { UserRow } from '../users/users.repository.ts';

export type PatRow = Database['personal_access_tokens'];

/** The only code that reads or writes personal access tokens; always by user id, or by hash. */
export class PersonalAccessTokensRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): PersonalAccessTokensRepository {
    return new PersonalAccessTokensRepository(trx);
  }

  async insert(row: PatRow): Promise<void> {
    await this.db.insertInto('personal_access_tokens').values(row).execute();
  }

  list(userId: string): Promise<PatRow[]> {
    return this.db.selectFrom('personal_access_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
  }

  find(userId: string, id: string): Promise<PatRow | undefined> {
    return this.db.selectFrom('personal_access_tokens').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  }

  /** The token and its user in one query. */
  async findByHash(tokenHash: string): Promise<{ pat: PatRow; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('personal_access_tokens')
      .innerJoin('users', 'users.id', 'personal_access_tokens.user_id')
      .selectAll('users')
      .select([
        'personal_access_tokens.id as pat_id',
        'personal_access_tokens.name as pat_name',
        'personal_access_tokens.token_hash',
        'personal_access_tokens.master_key_id',
        'personal_access_tokens.hint',
        'personal_access_tokens.access',
        'personal_access_tokens.created_at as pat_created_at',
        'personal_access_tokens.expires_at',
        'personal_access_tokens.last_used_at',
      ])
      .where('personal_access_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const { pat_id, pat_name, token_hash, master_key_id, hint, access, pat_created_at, expires_at, last_used_at, ...user } = row;
    return {
      pat: { id: pat_id, user_id: user.id, name: pat_name, token_hash, master_key_id, hint, access, created_at: pat_created_at, expires_at, last_used_at },
      user: user as UserRow,
    };
  }

  /** Names for audit listings: `token name (owner's email)` by token id. */
  labels(ids: string[]): Promise<Array<{ id: string; name: string; email: string }>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('personal_access_tokens')
      .innerJoin('users', 'users.id', 'personal_access_tokens.user_id')
      .select(['personal_access_tokens.id', 'personal_access_tokens.name', 'users.email'])
      .where('personal_access_tokens.id', 'in', ids)
      .execute();
  }

  async delete(userId: string, id: string): Promise<void> {
    await this.db.deleteFrom('personal_access_tokens').where('user_id', '=', userId).where('id', '=', id).execute();
  }

  async touch(lastUsed: Iterable<{ id: string; at: number }>): Promise<void> {
    for (const { id, at } of lastUsed) {
      await this.db
        .updateTable('personal_access_tokens')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }
}
