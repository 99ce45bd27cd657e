import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

/** How long a statement waits for another process's write lock, in all, before failing (then 503). */
export const SQLITE_LOCK_PATIENCE_MS = 5_000;
/**
 * better-sqlite3 waits for a lock synchronously, freezing the event loop: it may wait only this
 * long per attempt (the busy_timeout pragma); the rest of the patience is spent asleep, between
 * attempts, while the process goes on serving.
 */
export const SQLITE_BUSY_TIMEOUT_MS = 5;

const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_SNAPSHOT';
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function patiently<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SQLITE_LOCK_PATIENCE_MS;
  let delay = 2;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 100);
    }
  }
}

class PatientConnection implements DatabaseConnection {
  constructor(private readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return patiently(() => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/**
 * Kysely's SQLite driver, made to wait for a lock held by another process (a second server, the
 * CLI) asynchronously, and to take the write lock when a transaction begins (`BEGIN IMMEDIATE`):
 * a deferred transaction that read first cannot always upgrade to a writer in WAL mode, and
 * retrying it statement by statement would not help.
 */
class PatientSqliteDriver implements Driver {
  private readonly wrapped = new WeakMap<DatabaseConnection, PatientConnection>();

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let patient = this.wrapped.get(connection);
    if (!patient) this.wrapped.set(connection, (patient = new PatientConnection(connection)));
    return patient;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

const MAX_CACHED_STATEMENTS = 500;

/**
 * better-sqlite3 prepares a statement on every query Kysely runs; preparing costs more than
 * running most of ours. Statements are kept by SQL text (bounded, least recently used out).
 * Safe because Kysely runs one query at a time on the one connection, and nothing here streams.
 */
export function withStatementCache<T extends { prepare(sql: string): unknown }>(database: T): T {
  const statements = new Map<string, unknown>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (sql: string) => {
        let statement = statements.get(sql);
        if (statement !== undefined) {
          statements.delete(sql);
        } else {
          statement = prepare(sql);
          if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value as string);
        }
        statements.set(sql, statement);
        return statement;
      };
    },
  });
}

export class PatientSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new PatientSqliteDriver(super.createDriver());
  }
}
