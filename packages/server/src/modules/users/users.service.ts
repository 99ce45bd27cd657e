import type { EnvironmentRole, Member, PlatformRole, User } from '@latchkey/contract';
import type { Db } from '../../db/database.ts';
import { CLI_ACTOR, type Actor, type UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import { EnvironmentsRepository } from '../environments/environments.repository.ts';
import { SessionsRepository } from '../sessions/sessions.repository.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { UsersRepository, type MembershipRow, type UserRow } from './users.repository.ts';

export interface CreateUserInput {
  email: string;
  password: string;
  platformRole?: PlatformRole;
}

export interface UpdateUserInput {
  email?: string;
  password?: string;
  platformRole?: PlatformRole;
}

export const newUserId = () => `usr_${randomBase62(22)}`;

/** Lower case, trimmed: one address is one account whatever the case it is typed in. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** A deliberately loose check (one @, something on each side, no spaces): mail decides the rest. */
function checkEmail(email: string): void {
  if (email.length < 3 || email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw invalid('Invalid email', ['email must be an address such as someone@example.com']);
  }
}

const PLATFORM_ROLES: readonly string[] = ['owner', 'member'];
const ENVIRONMENT_ROLES: readonly string[] = ['admin', 'viewer'];

/**
 * People and their roles (SPEC §3): a platform role (`owner` manages everything and everyone,
 * `member` has only what memberships give) and a role per environment (`admin` or `viewer`).
 * Password hashes never leave this module's rows: `toUser` has no field for them.
 */
export class UsersService {
  readonly repository: UsersRepository;
  private readonly environments: EnvironmentsRepository;
  private readonly sessions: SessionsRepository;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.repository = new UsersRepository(db);
    this.environments = new EnvironmentsRepository(db);
    this.sessions = new SessionsRepository(db);
  }

  /** A new user row (password hashed, email checked), not yet stored: setup stores it its own way. */
  async prepare(input: CreateUserInput): Promise<UserRow> {
    const email = normalizeEmail(input.email);
    checkEmail(email);
    checkPasswordPolicy(input.password);
    const role = input.platformRole ?? 'member';
    if (!PLATFORM_ROLES.includes(role)) throw invalid('Invalid platform role', ['platformRole must be "owner" or "member"']);
    if (await this.repository.findByEmail(email)) throw new AppError('conflict', `A user with the email ${email} already exists`);
    const now = this.clock.now();
    return {
      id: newUserId(),
      email,
      password_hash: await hashPassword(input.password),
      platform_role: role,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
  }

  async create(input: CreateUserInput, actor: Actor = CLI_ACTOR): Promise<User> {
    const row = await this.prepare(input);
    try {
      await this.unitOfWork.commit(
        { actor, audit: { environmentId: null, action: 'user.create', target: { type: 'user', id: row.id }, changes: { email: row.email, platformRole: row.platform_role } } },
        (trx) => this.repository.withTransaction(trx).insert(row),
      );
    } catch (error) {
      // Two creations of one email raced: the unique index decided.
      if (await this.repository.findByEmail(row.email)) throw new AppError('conflict', `A user with the email ${row.email} already exists`);
      throw error;
    }
    return this.toUser(row, []);
  }

  async list(): Promise<User[]> {
    const rows = await this.repository.list();
    const memberships = await this.repository.membershipsOf(rows.map((row) => row.id));
    return rows.map((row) => this.toUser(row, memberships.filter((membership) => membership.user_id === row.id)));
  }

  async get(id: string): Promise<User> {
    const row = await this.require(id);
    return this.toUser(row, await this.repository.membershipsOf([id]));
  }

  /** Changes a user's email, password or platform role. A new password ends the user's sessions. */
  async update(id: string, input: UpdateUserInput, actor: Actor = CLI_ACTOR): Promise<User> {
    const current = await this.require(id);
    const next: UserRow = { ...current, updated_at: this.clock.now() };
    const changes: Record<string, unknown> = {};
    if (input.email !== undefined && normalizeEmail(input.email) !== current.email) {
      next.email = normalizeEmail(input.email);
      checkEmail(next.email);
      if (await this.repository.findByEmail(next.email)) throw new AppError('conflict', `A user with the email ${next.email} already exists`);
      changes.email = next.email;
    }
    if (input.platformRole !== undefined && input.platformRole !== current.platform_role) {
      if (!PLATFORM_ROLES.includes(input.platformRole)) throw invalid('Invalid platform role', ['platformRole must be "owner" or "member"']);
      if (current.platform_role === 'owner') await this.keepAnOwner();
      next.platform_role = input.platformRole;
      changes.platformRole = input.platformRole;
    }
    if (input.password !== undefined) {
      checkPasswordPolicy(input.password);
      next.password_hash = await hashPassword(input.password);
      // Never the password or its hash: only that it changed.
      changes.passwordChanged = true;
    }
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'user.update', target: { type: 'user', id }, changes } },
      async (trx) => {
        await this.repository.withTransaction(trx).update(id, next);
        if (input.password !== undefined) await this.sessions.withTransaction(trx).deleteForUser(id);
      },
    );
    return this.toUser(next, await this.repository.membershipsOf([id]));
  }

  /** Deletes a user with their sessions, tokens and memberships. The last owner stays. */
  async delete(id: string, actor: Actor = CLI_ACTOR): Promise<void> {
    const current = await this.require(id);
    if (current.platform_role === 'owner') await this.keepAnOwner();
    await this.unitOfWork.commit(
      { actor, audit: { environmentId: null, action: 'user.delete', target: { type: 'user', id }, changes: { email: current.email } } },
      (trx) => this.repository.withTransaction(trx).delete(id),
    );
  }

  async ownerExists(): Promise<boolean> {
    return (await this.repository.countOwners()) > 0;
  }

  async members(environmentId: string): Promise<Member[]> {
    await this.requireEnvironment(environmentId);
    return (await this.repository.members(environmentId)).map((row) => ({ userId: row.user_id, email: row.email, role: row.role, createdAt: iso(row.created_at)! }));
  }

  /** Gives a user a role in an environment (or changes it). */
  async setMembership(environmentId: string, userId: string, role: EnvironmentRole, actor: Actor = CLI_ACTOR): Promise<Member> {
    await this.requireEnvironment(environmentId);
    if (!ENVIRONMENT_ROLES.includes(role)) throw invalid('Invalid role', ['role must be "admin" or "viewer"']);
    const user = await this.require(userId);
    const previous = await this.repository.roleIn(environmentId, userId);
    const row: MembershipRow = { environment_id: environmentId, user_id: userId, role, created_at: this.clock.now() };
    await this.unitOfWork.commit(
      {
        actor,
        audit: { environmentId, action: 'member.set', target: { type: 'user', id: userId }, changes: { email: user.email, role, ...(previous ? { previousRole: previous } : {}) } },
      },
      (trx) => this.repository.withTransaction(trx).upsertMembership(row),
    );
    const stored = (await this.repository.members(environmentId)).find((member) => member.user_id === userId)!;
    return { userId, email: user.email, role, createdAt: iso(stored.created_at)! };
  }

  async removeMembership(environmentId: string, userId: string, actor: Actor = CLI_ACTOR): Promise<void> {
    await this.requireEnvironment(environmentId);
    const role = await this.repository.roleIn(environmentId, userId);
    if (!role) throw notFound(`Membership of user "${userId}" in environment "${environmentId}"`);
    await this.unitOfWork.commit(
      { actor, audit: { environmentId, action: 'member.remove', target: { type: 'user', id: userId }, changes: { role } } },
      (trx) => this.repository.withTransaction(trx).deleteMembership(environmentId, userId),
    );
  }

  toUser(row: UserRow, memberships: MembershipRow[]): User {
    return {
      id: row.id,
      email: row.email,
      platformRole: row.platform_role,
      memberships: memberships.map((membership) => ({ environment: membership.environment_id, role: membership.role })),
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
      lastSignInAt: iso(row.last_sign_in_at),
    };
  }

  async userWithMemberships(row: UserRow): Promise<User> {
    return this.toUser(row, await this.repository.membershipsOf([row.id]));
  }

  /**
   * Somebody must always be able to manage people. (Two owners demoting each other at the same
   * instant could both pass; `latchkey users create --owner` is the way back from that.)
   */
  private async keepAnOwner(): Promise<void> {
    if ((await this.repository.countOwners()) <= 1) throw new AppError('conflict', 'This is the last owner: make another user an owner first');
  }

  private async require(id: string): Promise<UserRow> {
    const row = await this.repository.find(id);
    if (!row) throw notFound(`User "${id}"`);
    return row;
  }

  private async requireEnvironment(environmentId: string): Promise<void> {
    if (!(await this.environments.find(environmentId))) throw notFound(`Environment "${environmentId}"`);
  }
}
