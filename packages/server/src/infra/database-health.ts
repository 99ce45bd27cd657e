/**
 * Tells a database that cannot answer (down, unreachable, out of connections, locked by another
 * process for too long) from everything else, so callers answer 503 with Retry-After instead of
 * 500, and an outage is logged once when it starts and once when it ends, not once per request.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // SQLite: another process holds the lock too long, or the file cannot be read or written.
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);
const UNAVAILABLE_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection (?:is )?(?:closed|ended)|Client has encountered a connection error|database is locked/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown } | null;
  if (!candidate || typeof candidate !== 'object') return false;
  // A client that hangs up mid-body: Node's own request error ('aborted', ECONNRESET), not the database.
  if (candidate.message === 'aborted') return false;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  // PostgreSQL class 08: connection exceptions.
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('SQLITE_IOERR') || /^08[0-9A-Z]{3}$/.test(code)) return true;
  return typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.test(candidate.message);
}

export type OutageListener = (event: { state: 'down'; error: string } | { state: 'up'; downForMs: number; refused: number }) => void;

/** One process's view of whether its database answers; fed by the change feed's polls and by refused requests. */
export class DatabaseHealth {
  private downSince: number | null = null;
  private refused = 0;
  private listener: OutageListener = () => {};

  onTransition(listener: OutageListener): void {
    this.listener = listener;
  }

  isDown(): boolean {
    return this.downSince !== null;
  }

  failed(error: unknown): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.refused = 0;
    const candidate = error as { code?: string; message?: string } | null;
    this.listener({ state: 'down', error: [candidate?.code, candidate?.message].filter(Boolean).join(': ') || String(error) });
  }

  /** A request answered 503 because of the outage: counted, not logged. */
  refusedOne(error: unknown): void {
    this.failed(error);
    this.refused++;
  }

  succeeded(): void {
    if (this.downSince === null) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = null;
    this.listener({ state: 'up', downForMs, refused: this.refused });
  }
}
