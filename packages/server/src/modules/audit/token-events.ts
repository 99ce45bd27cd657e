import type { Db } from '../../db/database.ts';
import { auditRow, type Actor, type AuditEvent } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';
import { ActivityRepository, type ActivityRow } from '../activity/activity.repository.ts';
import { HOUR_MS, hourOf } from '../activity/activity.service.ts';
import { IntegrationsRepository } from '../integrations/integrations.repository.ts';
import { AUDIT_INSERT_CHUNK, AuditRepository, type AuditRow } from './audit.repository.ts';

/** Why a token request was refused: private, for the audit log only. */
export type TokenRefusalReason = 'unknown_client' | 'wrong_secret' | 'disabled' | 'expired_secret' | 'throttled' | 'malformed';

/** Events held in memory between flushes, at most (each of mints and refusals); beyond, they are counted as dropped. */
export const MAX_BUFFERED_EVENTS = 100_000;
const CLIENT_ID_RE = /^[0-9A-Za-z]{32}$/;
const LOOKUP_CHUNK = 500;

interface Counter {
  readonly environmentId: string;
  readonly integrationId: string;
  readonly hour: number;
  minted: number;
  reused: number;
  refused: number;
  /** Nothing was counted between the last two flushes: the next flush forgets it. */
  idle: boolean;
}

interface Mint {
  at: number;
  environmentId: string;
  integrationId: string;
  clientId: string;
  scope: string;
}

interface Refusal {
  at: number;
  clientId: string | null;
  reason: TokenRefusalReason;
  address: string;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The token endpoint's events, off its hot path (SPEC §3, §7): every call only appends to memory
 * (no await, no I/O), and `flush()` — every ~2 s, and at shutdown — writes them in batches:
 * - a mint: an audit row `token.mint` (actor the integration, with the scope) and a count;
 * - a reuse: a counter increment, nothing else (not even an object);
 * - a refusal: an audit row `token.refuse` with its private reason and a count. Refusals of one
 *   (client, reason, address) within one batch share a row with `changes.count`, so a flood of
 *   bad requests costs rows per source, not per request. A refusal whose client id names no
 *   integration has no environment: its row is a platform event (environment null, target
 *   `client:<id>`), listed at `GET /api/v1/audit` for owners; a client id that is not even
 *   shaped like one is recorded as `(malformed)`, so a secret pasted in its place never lands
 *   in the log.
 * Hourly counts (minted, reused, refused per integration) are upserted into
 * `integration_activity`, summed with other nodes'.
 *
 * @example
 * events.minted('demo', 'int_…', clientId, 'template:read template:list');
 * events.reused('demo', 'int_…');
 * events.refused(clientId, 'wrong_secret', '203.0.113.7');
 * await events.flush();
 */
export class TokenEvents {
  /** The counter of the hour being counted, per integration. */
  private readonly current = new Map<string, Counter>();
  /** Counters of hours that ended before they were written. */
  private rolled: Counter[] = [];
  private mints: Mint[] = [];
  private refusals: Refusal[] = [];
  /** Prepared rows a failed flush could not write, tried again next time (bounded). */
  private unwrittenAudit: AuditRow[] = [];
  private unwrittenActivity = new Map<string, ActivityRow>();
  private chain: Promise<void> = Promise.resolve();
  /** Events not kept because the buffers were full (the database was away for long). */
  dropped = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxBuffered = MAX_BUFFERED_EVENTS,
  ) {}

  /**
   * A new token was signed for this integration (not a reused one). `at` (epoch ms) saves a clock
   * read when the caller has one.
   */
  minted(environmentId: string, integrationId: string, clientId: string, scope: string, at: number = this.clock.now()): void {
    this.counter(environmentId, integrationId, at).minted++;
    if (this.mints.length < this.maxBuffered) this.mints.push({ at, environmentId, integrationId, clientId, scope });
    else this.dropped++;
  }

  /** A cached token was handed out again: one increment, no allocation while the hour lasts. */
  reused(environmentId: string, integrationId: string, at: number = this.clock.now()): void {
    const counter = this.current.get(integrationId);
    if (counter !== undefined && at >= counter.hour && at - counter.hour < HOUR_MS) counter.reused++;
    else this.counter(environmentId, integrationId, at).reused++;
  }

  /** A token request was refused; `clientId` is what the request claimed (null when none). */
  refused(clientId: string | null, reason: TokenRefusalReason, address: string, at: number = this.clock.now()): void {
    if (this.refusals.length < this.maxBuffered) this.refusals.push({ at, clientId, reason, address });
    else this.dropped++;
  }

  /** Events waiting in memory (tests, and a shutdown that wants to know). */
  get pending(): number {
    let counted = this.rolled.length;
    for (const counter of this.current.values()) if (counter.minted || counter.reused || counter.refused) counted++;
    return this.mints.length + this.refusals.length + counted + this.unwrittenAudit.length + this.unwrittenActivity.size;
  }

  /** Writes everything counted so far. Calls queue behind each other, so each one covers what came before it. */
  flush(): Promise<void> {
    const next = this.chain.then(() => this.flushOnce());
    this.chain = next.catch(() => {});
    return next;
  }

  private counter(environmentId: string, integrationId: string, at: number): Counter {
    const existing = this.current.get(integrationId);
    if (existing !== undefined && at >= existing.hour && at - existing.hour < HOUR_MS) return existing;
    if (existing !== undefined && (existing.minted || existing.reused || existing.refused)) this.rolled.push(existing);
    const counter: Counter = { environmentId, integrationId, hour: hourOf(at), minted: 0, reused: 0, refused: 0, idle: false };
    this.current.set(integrationId, counter);
    return counter;
  }

  private async flushOnce(): Promise<void> {
    const mints = this.mints;
    const refusals = this.refusals;
    this.mints = [];
    this.refusals = [];
    const activity = this.unwrittenActivity;
    this.unwrittenActivity = new Map();
    const audit = this.unwrittenAudit;
    this.unwrittenAudit = [];

    const count = (environmentId: string, integrationId: string, hour: number, minted: number, reused: number, refused: number) => {
      const key = `${integrationId}\n${hour}`;
      const row = activity.get(key);
      if (row) {
        row.minted += minted;
        row.reused += reused;
        row.refused += refused;
      } else activity.set(key, { integration_id: integrationId, hour, environment_id: environmentId, minted, reused, refused });
    };
    for (const counter of this.rolled) count(counter.environmentId, counter.integrationId, counter.hour, counter.minted, counter.reused, counter.refused);
    this.rolled = [];
    for (const [integrationId, counter] of this.current) {
      if (counter.minted || counter.reused || counter.refused) {
        count(counter.environmentId, integrationId, counter.hour, counter.minted, counter.reused, counter.refused);
        counter.minted = counter.reused = counter.refused = 0;
        counter.idle = false;
      } else if (counter.idle) this.current.delete(integrationId);
      else counter.idle = true;
    }

    try {
      for (const mint of mints) {
        const actor: Actor = { type: 'integration', id: mint.clientId };
        const event: AuditEvent = { environmentId: mint.environmentId, action: 'token.mint', target: { type: 'integration', id: mint.integrationId }, changes: { scope: mint.scope } };
        audit.push(auditRow(actor, event, mint.at));
      }
      if (refusals.length) await this.refusalRows(refusals, audit, count);
    } catch (error) {
      // The lookup of client ids failed (the database is away): keep the refusals for next time.
      this.refusals = refusals.concat(this.refusals).slice(0, this.maxBuffered);
      this.keepUnwritten(audit, activity);
      throw error;
    }
    await this.write(audit, activity);
  }

  /** Refusals → audit rows (grouped per client, reason and address) and refused counts. */
  private async refusalRows(
    refusals: Refusal[],
    audit: AuditRow[],
    count: (environmentId: string, integrationId: string, hour: number, minted: number, reused: number, refused: number) => void,
  ): Promise<void> {
    const clientIds = [...new Set(refusals.map((refusal) => refusal.clientId).filter((id): id is string => id !== null && CLIENT_ID_RE.test(id)))];
    const known = new Map<string, { id: string; environment_id: string }>();
    const integrations = new IntegrationsRepository(this.db);
    for (let start = 0; start < clientIds.length; start += LOOKUP_CHUNK) {
      for (const row of await integrations.findByClientIds(clientIds.slice(start, start + LOOKUP_CHUNK))) known.set(row.client_id, row);
    }
    const groups = new Map<string, { first: Refusal; count: number }>();
    for (const refusal of refusals) {
      const clientId = refusal.clientId !== null && CLIENT_ID_RE.test(refusal.clientId) ? refusal.clientId : null;
      const integration = clientId ? known.get(clientId) : undefined;
      if (integration) count(integration.environment_id, integration.id, hourOf(refusal.at), 0, 0, 1);
      const key = `${clientId ?? (refusal.clientId === null ? '' : '\u0000')}\n${refusal.reason}\n${refusal.address}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { first: { ...refusal, clientId: clientId ?? (refusal.clientId === null ? null : '(malformed)') }, count: 1 });
    }
    for (const { first, count: times } of groups.values()) {
      const integration = first.clientId ? known.get(first.clientId) : undefined;
      const actor: Actor = { type: 'integration', id: first.clientId ?? '(none)', address: first.address };
      const event: AuditEvent = {
        environmentId: integration?.environment_id ?? null,
        action: 'token.refuse',
        target: integration ? { type: 'integration', id: integration.id } : { type: 'client', id: first.clientId ?? '(none)' },
        reason: first.reason,
        ...(times > 1 ? { changes: { count: times } } : {}),
      };
      audit.push(auditRow(actor, event, first.at));
    }
  }

  /**
   * Chunks of rows with a turn of the event loop between them: better-sqlite3 is synchronous,
   * and a chunk keeps each pause to about a millisecond.
   */
  private async write(audit: AuditRow[], activity: Map<string, ActivityRow>): Promise<void> {
    const auditRepository = new AuditRepository(this.db);
    const activityRepository = new ActivityRepository(this.db);
    const rows = [...activity.values()];
    let written = 0;
    let counted = 0;
    try {
      for (; written < audit.length; written += AUDIT_INSERT_CHUNK) {
        await auditRepository.insertMany(audit.slice(written, written + AUDIT_INSERT_CHUNK));
        await tick();
      }
      for (; counted < rows.length; counted += AUDIT_INSERT_CHUNK) {
        await activityRepository.add(rows.slice(counted, counted + AUDIT_INSERT_CHUNK));
        await tick();
      }
    } catch (error) {
      const left = new Map<string, ActivityRow>();
      for (const row of rows.slice(counted)) left.set(`${row.integration_id}\n${row.hour}`, row);
      this.keepUnwritten(audit.slice(written), left);
      throw error;
    }
  }

  private keepUnwritten(audit: AuditRow[], activity: Map<string, ActivityRow>): void {
    const room = Math.max(0, this.maxBuffered - this.unwrittenAudit.length);
    if (audit.length > room) this.dropped += audit.length - room;
    this.unwrittenAudit = audit.slice(0, room).concat(this.unwrittenAudit);
    for (const [key, row] of activity) {
      const existing = this.unwrittenActivity.get(key);
      if (existing) {
        existing.minted += row.minted;
        existing.reused += row.reused;
        existing.refused += row.refused;
      } else this.unwrittenActivity.set(key, row);
    }
  }
}
