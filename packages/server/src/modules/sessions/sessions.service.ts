import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import { throttleSource } from '../../infra/client-address.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { FailureLimiter, type RateLimitRule } from '../../infra/rate-limiter.ts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '../users/passwords.ts';
import type { UserRow } from '../users/users.repository.ts';
import { normalizeEmail, type UsersService } from '../users/users.service.ts';
import { SessionsRepository, type SessionRow } from './sessions.repository.ts';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** …and this long after sign-in whatever happens. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** `last_seen_at` is written at most this often: not one write per request. */
const TOUCH_EVERY_MS = 60_000;

export interface SignInLimits {
  perAccount: RateLimitRule;
  perAddress: RateLimitRule;
}

/** Failed sign-ins allowed per account, and per address, in 15 minutes. */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perAccount: { limit: 10, windowMs: 15 * 60_000 },
  perAddress: { limit: 30, windowMs: 15 * 60_000 },
};

export interface RequestContext {
  address: string;
  userAgent: string | null;
}

export interface StartedSession {
  user: UserRow;
  /** The cookie's value: shown to the browser, stored only as a keyed hash. */
  sessionId: string;
  csrfToken: string;
}

/** The same words for a wrong email and a wrong password: accounts cannot be enumerated. */
const WRONG_CREDENTIALS = 'Wrong email or password.';

/**
 * Console sessions (SPEC §3): sign-in with email and password, throttled per account and per
 * address; a new random id at every sign-in (the previous session, if any, ends: no fixation);
 * idle and absolute expiry on the injected clock; a CSRF token derived from the session id.
 */
export class SessionsService {
  private readonly repository: SessionsRepository;
  private readonly byAccount: FailureLimiter;
  private readonly byAddress: FailureLimiter;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
    limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {
    this.repository = new SessionsRepository(db);
    this.byAccount = new FailureLimiter(clock, limits.perAccount);
    this.byAddress = new FailureLimiter(clock, limits.perAddress);
  }

  private hashId(sessionId: string): string {
    return this.keyring.hmac('session-hash', `session\n${sessionId}`);
  }

  /** The CSRF token of a session: derived, so nothing more is stored, and useless without the cookie. */
  csrfToken(sessionId: string): string {
    return this.keyring.hmac('session-hash', `csrf\n${sessionId}`);
  }

  /** Constant-time comparison of a sent `X-CSRF-Token` with the session's. */
  checkCsrf(sessionId: string, sent: string | undefined): boolean {
    if (typeof sent !== 'string') return false;
    const expected = Buffer.from(this.csrfToken(sessionId));
    const given = Buffer.from(sent);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Email and password → a new session. Throttled (429 + Retry-After) per account and per address
   * before any password is checked; every outcome is audited with a private reason.
   */
  async signIn(email: string, password: string, context: RequestContext, replacing?: string): Promise<StartedSession> {
    const normalized = normalizeEmail(String(email));
    // A keyed hash of the email: bounded key length, and no address is kept in memory as text.
    const account = this.keyring.hmac('session-hash', `account\n${normalized}`);
    const source = throttleSource(context.address);
    const wait = Math.max(this.byAccount.retryAfter(account), this.byAddress.retryAfter(source));
    const user = await this.users.repository.findByEmail(normalized);
    const actor: Actor = { type: 'user', id: user?.id ?? 'unknown', address: context.address, userAgent: context.userAgent };
    if (wait > 0) {
      await this.refusal(actor, user, 'throttled');
      throw new AppError('too_many_requests', 'Too many failed sign-ins; retry later.', { status: 429, headers: { 'retry-after': String(wait) } });
    }
    // An unknown email costs one scrypt too: the answer's timing says nothing about accounts.
    const matches = await verifyPassword(String(password), user?.password_hash ?? (await dummyHash()));
    if (!user || !matches) {
      this.byAccount.fail(account);
      this.byAddress.fail(source);
      await this.refusal(actor, user, user ? 'wrong_password' : 'unknown_email');
      throw new AppError('unauthorized', WRONG_CREDENTIALS);
    }
    // Parameters raised since this hash was made: the password is at hand now, so rehash it.
    if (needsRehash(user.password_hash)) await this.users.repository.update(user.id, { password_hash: await hashPassword(String(password)) });
    return this.start(user, context, replacing, { action: 'session.create' });
  }

  /** A new session for `user` (sign-in, or the first owner right after setup). */
  async start(user: UserRow, context: RequestContext, replacing: string | undefined, audit: { action: string; changes?: Record<string, unknown> }): Promise<StartedSession> {
    const sessionId = randomBase62(43);
    const now = this.clock.now();
    const row: SessionRow = {
      id_hash: this.hashId(sessionId),
      user_id: user.id,
      master_key_id: this.keyring.id,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION_ABSOLUTE_MS,
      address: context.address.slice(0, 64),
      user_agent: context.userAgent?.slice(0, 300) ?? null,
    };
    const actor: Actor = { type: 'user', id: user.id, address: context.address, userAgent: context.userAgent };
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: audit.action, target: { type: 'user', id: user.id }, ...(audit.changes ? { changes: audit.changes } : {}) } },
      async (trx) => {
        const sessions = this.repository.withTransaction(trx);
        // Rotation: whatever session the browser held ends here; the new id is unrelated to it.
        if (replacing) await sessions.delete(this.hashId(replacing));
        await sessions.insert(row);
        await this.users.repository.withTransaction(trx).update(user.id, { last_sign_in_at: now });
      },
    );
    return { user: { ...user, last_sign_in_at: now }, sessionId, csrfToken: this.csrfToken(sessionId) };
  }

  /**
   * The live session behind a cookie value and its user, or null when it is unknown or past its
   * idle or absolute expiry (an expired one is deleted on the way).
   */
  async resolve(sessionId: string): Promise<{ user: UserRow; session: SessionRow } | null> {
    if (typeof sessionId !== 'string' || sessionId.length !== 43) return null;
    const idHash = this.hashId(sessionId);
    const found = await this.repository.find(idHash);
    if (!found) return null;
    const now = this.clock.now();
    if (now >= found.session.expires_at || now - found.session.last_seen_at >= SESSION_IDLE_MS) {
      await this.repository.delete(idHash);
      return null;
    }
    if (now - found.session.last_seen_at >= TOUCH_EVERY_MS) await this.repository.touch(idHash, now);
    return found;
  }

  async signOut(sessionId: string, actor: Actor): Promise<void> {
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'session.delete', target: { type: 'user', id: actor.id } } },
      (trx) => this.repository.withTransaction(trx).delete(this.hashId(sessionId)),
    );
  }

  async sweep(now: number): Promise<void> {
    await this.repository.deleteExpired(now, SESSION_IDLE_MS);
  }

  private async refusal(actor: Actor, user: UserRow | undefined, reason: string): Promise<void> {
    // Never the attempted email when it matches no account: people type passwords there.
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'session.refuse', target: { type: 'user', id: user?.id ?? 'unknown' }, reason } },
      async () => {},
    );
  }
}
