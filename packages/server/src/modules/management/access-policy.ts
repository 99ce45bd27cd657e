import type { EnvironmentRole, PatAccess } from '@latchkey/contract';
import type { Actor } from '../../db/unit-of-work.ts';
import { AppError, notFound } from '../../errors.ts';
import type { UserRow } from '../users/users.repository.ts';
import type { UsersRepository } from '../users/users.repository.ts';

/** Who calls the management API: a person, through a session or one of their personal access tokens. */
export interface Caller {
  user: UserRow;
  via: 'session' | 'pat';
  /** A session can do what its user may; a `read` token only reads. */
  access: PatAccess;
  /** The cookie's session id (sessions only): sign-out and the CSRF token need it. */
  sessionId?: string;
  patId?: string;
  /** The audit actor of what this caller changes: the user, or the token acting for them. */
  actor: Actor;
}

/**
 * What a caller needs in an environment:
 * - `read`: any member (admin or viewer), or an owner;
 * - `change`: integrations and settings — an admin or an owner;
 * - `manage`: members and deletion — owners only.
 */
export type EnvironmentNeed = 'read' | 'change' | 'manage';

/**
 * The role rules of SPEC §3, in one place. An environment the caller is no member of does not
 * exist for them: the answer is the same 404 as for an environment that does not exist at all,
 * never a 403 that would confirm it. A member whose role is too low gets 403.
 */
export class AccessPolicy {
  constructor(private readonly users: UsersRepository) {}

  isOwner(caller: Caller): boolean {
    return caller.user.platform_role === 'owner';
  }

  /** The caller's role in the environment ('owner' for owners), or a 404 for outsiders. */
  async environmentRole(caller: Caller, environmentId: string): Promise<EnvironmentRole | 'owner'> {
    if (this.isOwner(caller)) return 'owner';
    const role = await this.users.roleIn(environmentId, caller.user.id);
    if (!role) throw notFound(`Environment "${environmentId}"`);
    return role;
  }

  async requireEnvironment(caller: Caller, environmentId: string, need: EnvironmentNeed): Promise<void> {
    const role = await this.environmentRole(caller, environmentId);
    if (need === 'read' || role === 'owner') return;
    if (need === 'change' && role === 'admin') return;
    throw new AppError(
      'forbidden',
      need === 'manage' ? 'Only owners manage members and delete environments' : `Your role in environment "${environmentId}" (${role}) can only read`,
    );
  }

  /** People and environment creation: owners only. */
  requireOwner(caller: Caller, what: string): void {
    if (!this.isOwner(caller)) throw new AppError('forbidden', `Only owners ${what}`);
  }
}
