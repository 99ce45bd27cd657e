import { ENVIRONMENT_ID_PATTERN, MAX_TOKEN_TTL_SECONDS, type Environment } from '@latchkey/contract';
import { AppError, invalid, notFound } from '../../errors.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import { CLI_ACTOR, type Actor, type UnitOfWork } from '../../db/unit-of-work.ts';
import type { Db } from '../../db/database.ts';
import { EnvironmentsRepository, type EnvironmentRow } from './environments.repository.ts';

const ID_RE = new RegExp(ENVIRONMENT_ID_PATTERN);
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;
export const DEFAULT_TOKEN_REUSE_WINDOW_SECONDS = 3_600;

export interface EnvironmentInput {
  id: string;
  displayName?: string;
  tokenTtlSeconds?: number;
  tokenReuseWindowSeconds?: number;
}

export interface EnvironmentSettingsPatch {
  displayName?: string;
  tokenTtlSeconds?: number;
  tokenReuseWindowSeconds?: number;
}

export function toEnvironment(row: EnvironmentRow): Environment {
  return {
    id: row.id,
    displayName: row.display_name,
    tokenTtlSeconds: row.token_ttl_seconds,
    tokenReuseWindowSeconds: row.token_reuse_window_seconds,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** SPEC §2: tokenReuseWindowSeconds ≤ tokenTtlSeconds ≤ 30 days. */
function checkSettings(ttl: number, window: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > MAX_TOKEN_TTL_SECONDS)
    problems.push(`tokenTtlSeconds must be an integer from 60 to ${MAX_TOKEN_TTL_SECONDS} (30 days)`);
  if (!Number.isInteger(window) || window < 0) problems.push('tokenReuseWindowSeconds must be a non-negative integer');
  else if (window > ttl) problems.push('tokenReuseWindowSeconds must not exceed tokenTtlSeconds');
  if (problems.length) throw invalid('Invalid environment settings', problems);
}

export class EnvironmentsService {
  private readonly repository: EnvironmentsRepository;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.repository = new EnvironmentsRepository(db);
  }

  async create(input: EnvironmentInput, actor: Actor = CLI_ACTOR): Promise<Environment> {
    if (!ID_RE.test(input.id)) {
      throw invalid('Invalid environment id', [
        'id must be 3 to 63 lower-case letters, digits or hyphens, starting and ending with a letter or digit',
      ]);
    }
    const displayName = (input.displayName ?? input.id).trim();
    if (displayName.length < 1 || displayName.length > 200) throw invalid('Invalid environment', ['displayName must be 1 to 200 characters']);
    const ttl = input.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    const window = input.tokenReuseWindowSeconds ?? Math.min(DEFAULT_TOKEN_REUSE_WINDOW_SECONDS, ttl);
    checkSettings(ttl, window);
    const now = this.clock.now();
    const row: EnvironmentRow = {
      id: input.id,
      display_name: displayName,
      token_ttl_seconds: ttl,
      token_reuse_window_seconds: window,
      created_at: now,
      updated_at: now,
    };
    if (await this.repository.find(input.id)) throw new AppError('conflict', `Environment "${input.id}" already exists`);
    try {
      await this.unitOfWork.commit(
        {
          actor,
          audit: { environmentId: row.id, action: 'environment.create', target: { type: 'environment', id: row.id }, changes: { displayName, tokenTtlSeconds: ttl, tokenReuseWindowSeconds: window } },
        },
        (trx) => this.repository.withTransaction(trx).insert(row),
      );
    } catch (error) {
      if (await this.repository.find(input.id)) throw new AppError('conflict', `Environment "${input.id}" already exists`);
      throw error;
    }
    return toEnvironment(row);
  }

  async list(): Promise<Environment[]> {
    return (await this.repository.list()).map(toEnvironment);
  }

  async get(environmentId: string): Promise<Environment> {
    const row = await this.repository.find(environmentId);
    if (!row) throw notFound(`Environment "${environmentId}"`);
    return toEnvironment(row);
  }

  async update(environmentId: string, patch: EnvironmentSettingsPatch, actor: Actor = CLI_ACTOR): Promise<Environment> {
    const current = await this.repository.find(environmentId);
    if (!current) throw notFound(`Environment "${environmentId}"`);
    const ttl = patch.tokenTtlSeconds ?? current.token_ttl_seconds;
    const window = patch.tokenReuseWindowSeconds ?? current.token_reuse_window_seconds;
    checkSettings(ttl, window);
    const now = this.clock.now();
    const next: EnvironmentRow = {
      ...current,
      display_name: patch.displayName?.trim() || current.display_name,
      token_ttl_seconds: ttl,
      token_reuse_window_seconds: window,
      updated_at: now,
    };
    const changes: Record<string, unknown> = {};
    if (next.display_name !== current.display_name) changes.displayName = next.display_name;
    if (ttl !== current.token_ttl_seconds) changes.tokenTtlSeconds = ttl;
    if (window !== current.token_reuse_window_seconds) changes.tokenReuseWindowSeconds = window;
    await this.unitOfWork.commit(
      {
        actor,
        change: { kind: 'environment', environmentId, entityId: environmentId },
        audit: { environmentId, action: 'environment.update', target: { type: 'environment', id: environmentId }, changes },
      },
      (trx) => this.repository.withTransaction(trx).update(environmentId, next),
    );
    return toEnvironment(next);
  }

  /**
   * Deletes an environment and everything in it: integrations (their tokens die with them),
   * content, memberships. `confirm` must repeat the id, so a script cannot do it by accident.
   * Audit rows stay (retention removes them) so the deletion itself remains visible.
   */
  async delete(environmentId: string, confirm: string | undefined, actor: Actor = CLI_ACTOR): Promise<void> {
    const current = await this.repository.find(environmentId);
    if (!current) throw notFound(`Environment "${environmentId}"`);
    if (confirm !== environmentId) {
      throw invalid('Confirmation required', [`deleting an environment cannot be undone: repeat its id as confirm=${environmentId}`]);
    }
    await this.unitOfWork.commit(
      {
        actor,
        // Every node drops what it cached of this environment (its integrations' records and tokens).
        change: { kind: 'environment', environmentId, entityId: environmentId },
        audit: { environmentId, action: 'environment.delete', target: { type: 'environment', id: environmentId }, changes: { displayName: current.display_name } },
      },
      (trx) => this.repository.withTransaction(trx).delete(environmentId),
    );
  }
}
