import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type UserRow = Database['users'];
export type MembershipRow = Database['memberships'];

/** The only code that reads or writes users and their environment memberships. */
export class UsersRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): UsersRepository {
    return new UsersRepository(trx);
  }

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  find(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('email').execute();
  }

  emails(ids: string[]): Promise<Array<{ id: string; email: string }>> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids).execute();
  }

  async update(id: string, patch: Partial<Omit<UserRow, 'id'>>): Promise<void> {
    await this.db.updateTable('users').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }

  async countOwners(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('platform_role', '=', 'owner')
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  membershipsOf(userIds: string[]): Promise<MembershipRow[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('memberships').selectAll().where('user_id', 'in', userIds).orderBy('environment_id').execute();
  }

  /** The caller's role in one environment, or undefined: always by environment id and user id. */
  async roleIn(environmentId: string, userId: string): Promise<MembershipRow['role'] | undefined> {
    const row = await this.db
      .selectFrom('memberships')
      .select('role')
      .where('environment_id', '=', environmentId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.role;
  }

  members(environmentId: string): Promise<Array<MembershipRow & { email: string }>> {
    return this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .selectAll('memberships')
      .select('users.email')
      .where('memberships.environment_id', '=', environmentId)
      .orderBy('users.email')
      .execute();
  }

  async upsertMembership(row: MembershipRow): Promise<void> {
    await this.db
      .insertInto('memberships')
      .values(row)
      .onConflict((oc) => oc.columns(['environment_id', 'user_id']).doUpdateSet({ role: row.role }))
      .execute();
  }

  /** True when a membership was removed. */
  async deleteMembership(environmentId: string, userId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('memberships').where('environment_id', '=', environmentId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
