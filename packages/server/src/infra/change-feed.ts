import type { Clock } from './clock.ts';
import type { Db, DbOrTrx } from '../db/database.ts';

export type ChangeKind = 'integration' | 'environment' | 'keys';

export interface Change {
  kind: ChangeKind;
  environmentId: string;
  /** The integration's client id, the environment id, or `*` for keys. */
  entityId: string;
}

/** Records a change in the caller's transaction, so the row exists exactly when the change does. */
export async function recordChange(trx: DbOrTrx, change: Change, now: number): Promise<void> {
  await trx
    .insertInto('change_feed')
    .values({ environment_id: change.environmentId, kind: change.kind, entity_id: change.entityId, created_at: now })
    .execute();
}

const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_ROWS_MS = 24 * 3600_000;

export interface ChangeFeedOptions {
  pollIntervalMs?: number;
  /** Caches are bypassed when the last successful poll is older than this (SPEC §8). */
  staleAfterMs?: number;
  /** PostgreSQL sequence values can commit out of order: rows this young are read again. */
  lookbackMs?: number;
}

/**
 * Follows changes made by any process on the same database (another node, the CLI) by polling
 * the change feed, and tells local caches what to drop. A node that cannot poll stops trusting
 * its caches after `staleAfterMs`, which turns "within 1 second" into a guarantee.
 */
export class ChangeFeed {
  private readonly listeners: Array<(change: Change) => void> = [];
  private cursor = 0;
  private lastSuccess = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly recent = new Map<number, number>();
  private lastPrune = Date.now();
  private readonly pollIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly lookbackMs: number;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: ChangeFeedOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.staleAfterMs = options.staleAfterMs ?? 1500;
    this.lookbackMs = options.lookbackMs ?? 5000;
  }

  onChange(listener: (change: Change) => void): void {
    this.listeners.push(listener);
  }

  /** Tells this process's caches at once (the node that made a change never waits for a poll). */
  publishLocal(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Starts following from the newest change; call before loading what the feed invalidates. */
  async readCursor(): Promise<void> {
    const row = await this.db
      .selectFrom('change_feed')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    this.cursor = Number(row?.seq ?? 0);
  }

  async start(): Promise<void> {
    this.lastSuccess = Date.now();
    this.timer = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.timer.unref();
  }

  /** True while the last successful poll is recent enough for caches to be trusted. */
  isFresh(): boolean {
    return this.timer !== null && Date.now() - this.lastSuccess < this.staleAfterMs;
  }

  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const startedAt = Date.now();
    try {
      const since = this.clock.now() - this.lookbackMs;
      const rows = await this.db
        .selectFrom('change_feed')
        .selectAll()
        .where((eb) => eb.or([eb('seq', '>', this.cursor), eb('created_at', '>', since)]))
        .orderBy('seq')
        .limit(10_000)
        .execute();
      for (const row of rows) {
        const seq = Number(row.seq);
        if (this.recent.has(seq) || seq <= this.cursor - 100_000) continue;
        this.recent.set(seq, row.created_at);
        this.cursor = Math.max(this.cursor, seq);
        this.publishLocal({ kind: row.kind as Change['kind'], environmentId: row.environment_id, entityId: row.entity_id });
      }
      for (const [seq, createdAt] of this.recent) if (createdAt < since - this.lookbackMs) this.recent.delete(seq);
      this.lastSuccess = startedAt;
      if (startedAt - this.lastPrune > PRUNE_EVERY_MS) await this.prune();
    } catch {
      // Leave lastSuccess alone: once it is old, isFresh() makes callers read the database.
    }
  }

  /** Rows older than any poller could still need: every node keeps its own cursor. */
  private async prune(): Promise<void> {
    this.lastPrune = Date.now();
    await this.db.deleteFrom('change_feed').where('created_at', '<', this.clock.now() - KEEP_ROWS_MS).execute();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }
}
