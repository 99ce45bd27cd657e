import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { UserRow } from '../users/users.repository.ts';

export type SessionRow = Database['sessions'];

/** The only code that reads or writes sessions. Sessions are found by the keyed hash of their id. */
export class SessionsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): SessionsRepository {
    return new SessionsRepository(trx);
  }

  async insert(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The session and its user in one query. */
  async find(idHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select([
        'sessions.id_hash',
        'sessions.user_id',
        'sessions.master_key_id',
        'sessions.created_at as session_created_at',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'sessions.address',
        'sessions.user_agent',
      ])
      .where('sessions.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const { id_hash, user_id, master_key_id, session_created_at, last_seen_at, expires_at, address, user_agent, ...user } = row;
    return {
      session: { id_hash, user_id, master_key_id, created_at: session_created_at, last_seen_at, expires_at, address, user_agent },
      user: user as UserRow,
    };
  }

  async touch(idHash: string, at: number): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: at }).where('id_hash', '=', idHash).execute();
  }

  async delete(idHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  /** Sessions past their absolute or idle expiry. */
  async deleteExpired(now: number, idleMs: number): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
      .execute();
  }
}
