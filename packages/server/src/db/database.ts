import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { Database } from './schema.ts';
import { PatientSqliteDialect, SQLITE_BUSY_TIMEOUT_MS, withStatementCache } from './sqlite-dialect.ts';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;
export type DbOrTrx = Kysely<Database> | Transaction<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * Opens the database `DATABASE_URL` names. A `schema` query parameter on a PostgreSQL URL sets the
 * search_path (tests give every run its own schema).
 */
export function openDatabase(database: Config['database']): DatabaseHandle {
  if (database.kind === 'sqlite') {
    mkdirSync(path.dirname(database.file), { recursive: true, mode: 0o700 });
    const sqlite = new SQLite(database.file);
    // The file holds hashes and ciphertexts only, but nobody else needs to read it.
    chmodSync(database.file, 0o600);
    // WAL lets readers run beside one writer (two processes share the file);
    // synchronous=NORMAL is durable across a process crash and much faster (SPEC §7).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // Waiting for another process's lock happens asynchronously (PatientSqliteDialect): the
    // synchronous wait inside SQLite stays a few milliseconds, so the event loop never freezes.
    sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    // 8 MiB of page cache (better-sqlite3 defaults to 16 MiB): the hot rows are small and cached
    // in memory above SQLite anyway, and file chunks written to the database store pass through
    // this cache once; half of it keeps an upload's footprint down (SPEC §7).
    sqlite.pragma('cache_size = -8000');
    const db = new Kysely<Database>({ dialect: new PatientSqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  const url = new URL(database.url);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    // A database that stops answering must fail requests, not hang them.
    connectionTimeoutMillis: 5_000,
    query_timeout: 15_000,
    statement_timeout: 10_000,
    // Times are epoch milliseconds in bigint columns: well inside Number's exact range.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A client losing its connection must not crash the process: idle ones report to the pool
  // (which replaces them), checked-out ones to their own listener (their query fails with the
  // error, answered 503 as an outage). Without this one, pg emits 'error' on a checked-out client
  // with nobody listening: an uncaught exception when PostgreSQL goes away mid-query.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/**
 * Runs `work` while holding the database-wide startup lock, so processes starting together never
 * race on migrations or key generation: `BEGIN IMMEDIATE` on SQLite, an advisory transaction lock
 * on PostgreSQL. Everything `work` does commits together.
 */
export async function withStartupLock<T>(handle: DatabaseHandle, work: (trx: DbOrTrx) => Promise<T>): Promise<T> {
  if (handle.dialect === 'postgres') {
    return handle.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(7012026)`.execute(trx);
      return work(trx);
    });
  }
  // better-sqlite3 is one connection: statements issued between BEGIN and COMMIT are inside it.
  await sql`begin immediate`.execute(handle.db);
  try {
    const result = await work(handle.db);
    await sql`commit`.execute(handle.db);
    return result;
  } catch (error) {
    await sql`rollback`.execute(handle.db);
    throw error;
  }
}
