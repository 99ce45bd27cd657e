import type { DatabaseHandle, Dialect, DbOrTrx } from './database.ts';
import { initial } from './migrations/0001-initial.ts';
import { revocationAndAudit } from './migrations/0002-revocation-and-audit.ts';
import { content } from './migrations/0003-content.ts';
import { mediaAndFonts } from './migrations/0004-media-and-fonts.ts';
import { peopleAndAccess } from './migrations/0005-people-and-access.ts';

export interface Migration {
  name: string;
  up(db: DbOrTrx, dialect: Dialect): Promise<void>;
}

/** Every migration, in order. The same TypeScript serves SQLite and PostgreSQL. */
export const MIGRATIONS: readonly Migration[] = [initial, revocationAndAudit, content, mediaAndFonts, peopleAndAccess];

/**
 * Applies pending migrations. Call it inside `withStartupLock`: the caller's transaction makes a
 * half-applied migration impossible on PostgreSQL and SQLite alike (both have transactional DDL).
 */
export async function migrate(db: DbOrTrx, handle: Pick<DatabaseHandle, 'dialect'>, now: number): Promise<string[]> {
  await db.schema
    .createTable('latchkey_migrations')
    .ifNotExists()
    .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
  const done = new Set((await db.selectFrom('latchkey_migrations').select('name').execute()).map((row) => row.name));
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    if (done.has(migration.name)) continue;
    await migration.up(db, handle.dialect);
    await db.insertInto('latchkey_migrations').values({ name: migration.name, applied_at: now }).execute();
    applied.push(migration.name);
  }
  return applied;
}
