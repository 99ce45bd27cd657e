import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

/** The dialects the suites loop over: `DIALECTS=sqlite,postgres` (default sqlite). */
export function dialects(): TestDialect[] {
  const list = (process.env.DIALECTS ?? 'sqlite').split(',').map((d) => d.trim()).filter(Boolean);
  for (const dialect of list) if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error(`unknown dialect ${dialect}`);
  return list as TestDialect[];
}

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  dialect: TestDialect;
  /** What a process would set as DATABASE_URL (unset for SQLite: the data dir decides). */
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/** A database of its own: a SQLite file in a fresh temp dir, or a fresh PostgreSQL schema. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
  if (dialect === 'sqlite') {
    return { dialect, databaseUrl: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `lk_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('schema', schema);
  return {
    dialect,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: POSTGRES_URL });
      await dropper.connect();
      await dropper.query(`drop schema if exists ${schema} cascade`);
      await dropper.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
