import { recordChange, type Change, type ChangeFeed } from '../infra/change-feed.ts';
import type { Clock } from '../infra/clock.ts';
import { randomBase62 } from '../infra/encoding.ts';
import type { Db, DbOrTrx } from './database.ts';

export type ActorType = 'user' | 'pat' | 'cli' | 'integration' | 'system';

/** Who made a change: a person, a personal access token, the CLI, an integration or the server. */
export interface Actor {
  type: ActorType;
  id: string;
  address?: string | null;
  userAgent?: string | null;
}

export const CLI_ACTOR: Actor = { type: 'cli', id: 'cli' };
export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'latchkey' };

/** One audit row: what was done to what. `changes` holds non-secret fields only. */
export interface AuditEvent {
  environmentId: string | null;
  action: string;
  target: { type: string; id: string };
  changes?: Record<string, unknown>;
  /** A refusal's private reason, never sent to the client that was refused. */
  reason?: string;
}

export interface CommitOptions {
  actor: Actor;
  audit?: AuditEvent | readonly AuditEvent[];
  /** What caches must drop once this commits (on this node at once, elsewhere by the feed). */
  change?: Change | readonly Change[];
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value as T]);
const clip = (value: string | null | undefined, max: number) => (value == null ? null : value.slice(0, max));

export const newAuditId = () => `aud_${randomBase62(22)}`;

/** The audit_log row of an event (shared with the batched writer of mints and refusals). */
export function auditRow(actor: Actor, event: AuditEvent, at: number) {
  return {
    id: newAuditId(),
    environment_id: event.environmentId,
    at,
    actor_type: actor.type,
    actor_id: clip(actor.id, 200)!,
    action: event.action,
    target_type: event.target.type,
    target_id: clip(event.target.id, 200)!,
    changes: event.changes && Object.keys(event.changes).length ? JSON.stringify(event.changes) : null,
    reason: clip(event.reason, 80),
    address: clip(actor.address, 64),
    user_agent: clip(actor.userAgent, 300),
  };
}

/**
 * The one write path (STYLE): a change, its change-feed rows and its audit rows commit in one
 * transaction, then this process's caches hear of it at once. Services never open transactions
 * of their own.
 */
export class UnitOfWork {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly feed: ChangeFeed | null,
  ) {}

  async commit<T>(options: CommitOptions, work: (trx: DbOrTrx) => Promise<T>): Promise<T> {
    const changes = list(options.change);
    const events = list(options.audit);
    const result = await this.db.transaction().execute(async (trx) => {
      const value = await work(trx);
      const now = this.clock.now();
      for (const change of changes) await recordChange(trx, change, now);
      if (events.length) await trx.insertInto('audit_log').values(events.map((event) => auditRow(options.actor, event, now))).execute();
      return value;
    });
    for (const change of changes) this.feed?.publishLocal(change);
    return result;
  }
}
