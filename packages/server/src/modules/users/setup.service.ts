import type { Db } from '../../db/database.ts';
import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import type { Keyring } from '../../infra/keyring.ts';
import type { UserRow } from './users.repository.ts';
import type { UsersService } from './users.service.ts';

export const SETUP_TOKEN_PREFIX = 'lk_setup_';
export const SETUP_TOKEN_TTL_MS = 24 * 3600_000;
const FIRST_OWNER_MARK = 'first_owner';

export interface SetupInput {
  token: string;
  email: string;
  password: string;
}

/**
 * The first owner (SPEC §3). While no owner exists, every server start prints a one-time setup
 * URL: a random token, stored only as a keyed hash, single use, valid 24 hours. Since only the
 * hash is stored, a start cannot print an earlier start's token again: each start makes its own
 * (this process reuses its own while it lives), and all of them work until they expire or until
 * an owner exists, whichever comes first, so several nodes starting together never invalidate
 * each other's links.
 */
export class SetupService {
  private own: { token: string; expiresAt: number } | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly keyring: Keyring,
    private readonly unitOfWork: UnitOfWork,
    private readonly users: UsersService,
    private readonly issuer: string,
  ) {}

  private hash(token: string): string {
    return this.keyring.hmac('setup-token', token);
  }

  /** True until the first owner exists. */
  async required(): Promise<boolean> {
    return !(await this.users.ownerExists());
  }

  /**
   * The URL to print at start: `${issuer}/console/setup?token=…`, or null once an owner exists.
   *
   * @example
   * const url = await services.management.setup.ensureSetupUrl();
   * if (url) console.log(`latchkey: no owner yet: open ${url} within 24 hours`);
   */
  async ensureSetupUrl(): Promise<string | null> {
    if (!(await this.required())) return null;
    const now = this.clock.now();
    if (!this.own || this.own.expiresAt - now < 3600_000) {
      const token = `${SETUP_TOKEN_PREFIX}${randomBase62(43)}`;
      const expiresAt = now + SETUP_TOKEN_TTL_MS;
      await this.db.deleteFrom('setup_tokens').where('expires_at', '<=', now).execute();
      await this.db.insertInto('setup_tokens').values({ token_hash: this.hash(token), created_at: now, expires_at: expiresAt, used_at: null }).execute();
      this.own = { token, expiresAt };
    }
    return `${this.issuer}/console/setup?token=${encodeURIComponent(this.own.token)}`;
  }

  /** Creates the first owner with a live setup token; the token is spent whatever happens next. */
  async complete(input: SetupInput, context: Pick<Actor, 'address' | 'userAgent'>): Promise<UserRow> {
    if (!(await this.required())) throw new AppError('conflict', 'Setup is complete: sign in instead');
    const invalidLink = () => new AppError('unauthorized', 'This setup link is invalid, used or expired: restart the server for a new one');
    if (typeof input.token !== 'string' || !input.token.startsWith(SETUP_TOKEN_PREFIX) || input.token.length > 100) throw invalidLink();
    const tokenHash = this.hash(input.token);
    const now = this.clock.now();
    const live = await this.db
      .selectFrom('setup_tokens')
      .select('token_hash')
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (!live) throw invalidLink();
    const row = await this.users.prepare({ email: input.email, password: input.password, platformRole: 'owner' });
    const actor: Actor = { type: 'user', id: row.id, address: context.address ?? null, userAgent: context.userAgent ?? null };
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'user.create', target: { type: 'user', id: row.id }, changes: { email: row.email, platformRole: 'owner', via: 'setup' } } },
      async (trx) => {
        const spent = await trx
          .updateTable('setup_tokens')
          .set({ used_at: now })
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .executeTakeFirst();
        if (Number(spent.numUpdatedRows) !== 1) throw invalidLink();
        // Two setups with two different live tokens at once: the primary key of this mark lets
        // exactly one of them create an owner (the other fails and rolls back).
        const marked = await trx
          .insertInto('latchkey_meta')
          .values({ key: FIRST_OWNER_MARK, value: row.id })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(marked.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new AppError('conflict', 'Setup is complete: sign in instead');
        await this.users.repository.withTransaction(trx).insert(row);
        // The other links are worthless from now on: drop them.
        await trx.deleteFrom('setup_tokens').where('token_hash', '!=', tokenHash).execute();
      },
    );
    this.own = null;
    return row;
  }
}
