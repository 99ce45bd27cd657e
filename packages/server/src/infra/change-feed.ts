import type { Clock } from './clock.ts';
import type { Db, DbOrTrx } from '../db/database.ts';
import type { DatabaseHealth } from './database-health.ts';

export type ChangeKind = 'integration' | 'environment' | 'keys' | 'template';

export interface Change {
  kind: ChangeKind;
  environmentId: string;
  /** The integration's client id, the environment id, a template id, or `*` for keys. */
  entityId: string;
}

/** Records a change in the caller's transaction, so the row exists exactly when the change does. */
export async function recordChange(trx: DbOrTrx, change: Change, now: number): Promise<void> {
  await trx
    .insertInto('change_feed')
    .values({ environment_id: change.environmentId, kind: change.kind, entity_id: change.entityId, created_at: now })
    .execute();
}

const PAGE = 1000;
const MAX_TRACKED_GAP = 1000;
/** Longer than any transaction that writes a change: a gap older than this was rolled back. */
const GAP_PATIENCE_MS = 30_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_ROWS_MS = 24 * 3600_000;

export interface ChangeFeedOptions {
  pollIntervalMs?: number;
  /** Caches are bypassed when the last successful poll is older than this (SPEC §8). */
  staleAfterMs?: number;
  /** Told of every poll's outcome: the feed is the process's steady probe of its database. */
  health?: DatabaseHealth;
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
  /** Sequence values skipped over, by when the gap was noticed. */
  private readonly missing = new Map<number, number>();
  private lastPrune = Date.now();
  private readonly pollIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly health: DatabaseHealth | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    options: ChangeFeedOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    // SPEC §2 promises "within 1 second" after a change elsewhere: a poll that started up to this
    // long ago, plus its own duration, stays inside that second.
    this.staleAfterMs = options.staleAfterMs ?? 750;
    this.health = options.health;
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
      const rows = await this.db.selectFrom('change_feed').selectAll().where('seq', '>', this.cursor).orderBy('seq').limit(PAGE).execute();
      for (const row of rows) {
        const seq = Number(row.seq);
        // A PostgreSQL sequence value can commit after a larger one: remember the gap and look
        // for it again until it shows up or is surely a rolled-back transaction.
        if (seq - this.cursor <= MAX_TRACKED_GAP) for (let missing = this.cursor + 1; missing < seq; missing++) this.missing.set(missing, startedAt);
        this.cursor = seq;
        this.deliver(row);
      }
      if (this.missing.size > 0) {
        const late = await this.db.selectFrom('change_feed').selectAll().where('seq', 'in', [...this.missing.keys()]).execute();
        for (const row of late) {
          this.missing.delete(Number(row.seq));
          this.deliver(row);
        }
        for (const [seq, noticedAt] of this.missing) if (startedAt - noticedAt > GAP_PATIENCE_MS) this.missing.delete(seq);
      }
      if (rows.length === PAGE) {
        // More changes than one page: not caught up, so not fresh; read on at once.
        setImmediate(() => void this.poll());
        return;
      }
      // What was committed before this poll started has now been seen.
      this.lastSuccess = startedAt;
      this.health?.succeeded();
      if (startedAt - this.lastPrune > PRUNE_EVERY_MS) await this.prune();
    } catch (error) {
      this.health?.failed(error);
      // Leave lastSuccess alone: once it is old, isFresh() makes callers read the database.
    }
  }

  private deliver(row: { kind: string; environment_id: string; entity_id: string }): void {
    this.publishLocal({ kind: row.kind as Change['kind'], environmentId: row.environment_id, entityId: row.entity_id });
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
