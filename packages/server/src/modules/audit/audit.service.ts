import type { AuditEntry } from '@latchkey/contract';
import type { Db } from '../../db/database.ts';
import { invalid } from '../../errors.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import type { PersonalAccessTokensService } from '../personal-access-tokens/personal-access-tokens.service.ts';
import { UsersRepository } from '../users/users.repository.ts';
import { AuditRepository, type AuditFilters, type AuditRow } from './audit.repository.ts';

export const AUDIT_RETENTION_MS = 90 * 24 * 3600_000;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;
const ACTOR_TYPES = new Set(['user', 'pat', 'cli', 'integration', 'system']);

export interface AuditListQuery {
  /** An actor id, or an actor type (user, pat, cli, integration, system). */
  actor?: string;
  /** An action, or a prefix ending in `*`. */
  action?: string;
  target?: string;
  /** ISO date-time or epoch ms. */
  from?: string | number;
  to?: string | number;
  limit?: number;
  cursor?: string;
}

export interface AuditPage {
  data: AuditEntry[];
  nextCursor: string | null;
}

const encodeCursor = (row: AuditRow) => Buffer.from(`${row.at}:${row.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: number; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!at || !/^\d{1,16}$/.test(at) || !id || !/^aud_[0-9A-Za-z]{1,40}$/.test(id)) throw invalid('Invalid cursor', ['cursor must be the nextCursor of a previous page']);
  return { at: Number(at), id };
}

function time(value: string | number | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalid('Invalid time', [`${name} must be an ISO 8601 date-time`]);
  return ms;
}

/** Reading the audit log (writing is the unit of work's, and the token events' batches). */
export class AuditService {
  readonly repository: AuditRepository;
  private readonly users: UsersRepository;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly pats: PersonalAccessTokensService,
  ) {
    this.repository = new AuditRepository(db);
    this.users = new UsersRepository(db);
  }

  /** One page, newest first: an environment's events, or platform events when `environmentId` is null. */
  async list(environmentId: string | null, query: AuditListQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw invalid('Invalid limit', [`limit must be an integer from 1 to ${MAX_LIMIT}`]);
    const filters: AuditFilters = {};
    if (query.actor) {
      if (ACTOR_TYPES.has(query.actor)) filters.actorType = query.actor;
      else filters.actorId = query.actor;
    }
    if (query.action) {
      if (query.action.endsWith('*')) filters.actionPrefix = query.action.slice(0, -1);
      else filters.action = query.action;
    }
    if (query.target) filters.targetId = query.target;
    const from = time(query.from, 'from');
    const to = time(query.to, 'to');
    if (from !== undefined) filters.from = from;
    if (to !== undefined) filters.to = to;
    const rows = await this.repository.list(environmentId, filters, limit + 1, query.cursor ? decodeCursor(query.cursor) : undefined);
    const page = rows.slice(0, limit);
    return { data: await this.entries(page), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
  }

  /** Deletes what is older than the retention period. */
  sweep(now = this.clock.now()): Promise<number> {
    return this.repository.deleteOlderThan(now - AUDIT_RETENTION_MS);
  }

  /** Rows as the API shows them, actors labelled where the user or token still exists. */
  private async entries(rows: AuditRow[]): Promise<AuditEntry[]> {
    const userIds = [...new Set(rows.filter((row) => row.actor_type === 'user').map((row) => row.actor_id))];
    const patIds = [...new Set(rows.filter((row) => row.actor_type === 'pat').map((row) => row.actor_id))];
    const labels = new Map<string, string>();
    for (const user of await this.users.emails(userIds)) labels.set(`user:${user.id}`, user.email);
    for (const pat of await this.pats.labels(patIds)) labels.set(`pat:${pat.id}`, `${pat.name} (${pat.email})`);
    return rows.map((row) => ({
      id: row.id,
      at: iso(row.at)!,
      environment: row.environment_id,
      actor: { type: row.actor_type, id: row.actor_id, label: labels.get(`${row.actor_type}:${row.actor_id}`) ?? null },
      action: row.action,
      target: { type: row.target_type, id: row.target_id },
      changes: row.changes ? (JSON.parse(row.changes) as Record<string, unknown>) : null,
      reason: row.reason,
      address: row.address,
      userAgent: row.user_agent,
    }));
  }
}
