import { EXPIRES_SOON_SECONDS, PAT_PREFIX, type Pat, type PatAccess, type PatCreated } from '@latchkey/contract';
import type { Db } from '../../db/database.ts';
import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { invalid, notFound } from '../../errors.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { generateChecksummed, isWellFormedChecksummed, secretHint } from '../integrations/client-secret.ts';
import type { UserRow } from '../users/users.repository.ts';
import { PersonalAccessTokensRepository, type PatRow } from './personal-access-tokens.repository.ts';

export const DEFAULT_PAT_LIFETIME_MS = 90 * 24 * 3600_000;
export const MAX_PAT_LIFETIME_MS = 366 * 24 * 3600_000;
const CHUNK = 50;

export interface CreatePatInput {
  name: string;
  access: PatAccess;
  /** Epoch ms; default 90 days from now, at most 366 days ahead. */
  expiresAt?: number;
}

export const newPatId = () => `pat_${randomBase62(22)}`;
export const isWellFormedPat = (value: string): boolean => isWellFormedChecksummed(PAT_PREFIX, value);

/**
 * Personal access tokens for automation (SPEC §3): `lk_pat_` + 43 base62 + checksum, shown once,
 * stored as an HMAC under the PAT subkey, read or read-write, with an expiry and a last use that
 * is written in batches (never one write per request). A token acts as its user, with the user's
 * roles; `read` ones may only GET.
 */
export class PersonalAccessTokensService {
  private readonly repository: PersonalAccessTokensRepository;
  private pendingUse = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.repository = new PersonalAccessTokensRepository(db);
  }

  private hash(token: string): string {
    return this.keyring.hmac('pat-hash', token);
  }

  async create(userId: string, input: CreatePatInput, actor: Actor): Promise<PatCreated> {
    const now = this.clock.now();
    const name = input.name.trim();
    const problems: string[] = [];
    if (name.length < 1 || name.length > 100) problems.push('name must be 1 to 100 characters');
    if (input.access !== 'read' && input.access !== 'read-write') problems.push('access must be "read" or "read-write"');
    const expiresAt = input.expiresAt ?? now + DEFAULT_PAT_LIFETIME_MS;
    if (!Number.isFinite(expiresAt) || expiresAt <= now || expiresAt > now + MAX_PAT_LIFETIME_MS) problems.push('expiresAt must be in the future and at most 366 days ahead');
    if (problems.length) throw invalid('Invalid personal access token', problems);
    const token = generateChecksummed(PAT_PREFIX);
    const row: PatRow = {
      id: newPatId(),
      user_id: userId,
      name,
      token_hash: this.hash(token),
      master_key_id: this.keyring.id,
      hint: secretHint(token),
      access: input.access,
      created_at: now,
      expires_at: expiresAt,
      last_used_at: null,
    };
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'pat.create', target: { type: 'pat', id: row.id }, changes: { name, access: row.access, expiresAt: iso(expiresAt), userId } } },
      (trx) => this.repository.withTransaction(trx).insert(row),
    );
    return { ...this.toPat(row), token };
  }

  async list(userId: string): Promise<Pat[]> {
    return (await this.repository.list(userId)).map((row) => this.toPat(row));
  }

  /** Revokes one of the user's own tokens: it stops working at once, on every node (no cache). */
  async revoke(userId: string, id: string, actor: Actor): Promise<void> {
    const row = await this.repository.find(userId, id);
    if (!row) throw notFound(`Personal access token "${id}"`);
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'pat.revoke', target: { type: 'pat', id }, changes: { name: row.name, userId } } },
      (trx) => this.repository.withTransaction(trx).delete(userId, id),
    );
  }

  /**
   * The live token behind an `Authorization: Bearer lk_pat_…` value and its user, or null. A value
   * whose checksum fails is refused before any lookup.
   */
  async resolve(token: string): Promise<{ pat: PatRow; user: UserRow } | null> {
    if (!isWellFormedPat(token)) return null;
    const found = await this.repository.findByHash(this.hash(token));
    if (!found) return null;
    const now = this.clock.now();
    if (found.pat.expires_at != null && found.pat.expires_at <= now) return null;
    this.pendingUse.set(found.pat.id, now);
    return found;
  }

  labels(ids: string[]): Promise<Array<{ id: string; name: string; email: string }>> {
    return this.repository.labels(ids);
  }

  /** Writes the batched last-use times. */
  async flushLastUse(): Promise<void> {
    if (this.pendingUse.size === 0) return;
    const batch = [...this.pendingUse].map(([id, at]) => ({ id, at }));
    this.pendingUse = new Map();
    for (let start = 0; start < batch.length; start += CHUNK) {
      await this.db.transaction().execute((trx) => this.repository.withTransaction(trx).touch(batch.slice(start, start + CHUNK)));
    }
  }

  toPat(row: PatRow): Pat {
    const now = this.clock.now();
    return {
      id: row.id,
      name: row.name,
      access: row.access,
      hint: row.hint,
      createdAt: iso(row.created_at)!,
      expiresAt: iso(row.expires_at),
      expiresSoon: row.expires_at != null && row.expires_at - now <= EXPIRES_SOON_SECONDS * 1000,
      lastUsedAt: iso(row.last_used_at),
    };
  }
}
