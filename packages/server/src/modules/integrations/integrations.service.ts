import {
  EXPIRES_SOON_SECONDS,
  MAX_SECRET_GRACE_SECONDS,
  PRESETS,
  isPresetName,
  isScope,
  normalizeScopes,
  type Integration,
  type IntegrationWithSecret,
  type Scope,
} from '@latchkey/contract';
import type { Db } from '../../db/database.ts';
import { AppError, invalid, notFound } from '../../errors.ts';
import type { Change } from '../../infra/change-feed.ts';
import { CLI_ACTOR, type Actor, type AuditEvent, type UnitOfWork } from '../../db/unit-of-work.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import { newClientId, newIntegrationId, newSecretId } from '../../infra/ids.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { EnvironmentsRepository } from '../environments/environments.repository.ts';
import { generateClientSecret, secretHint } from './client-secret.ts';
import { IntegrationsRepository, type IntegrationRow, type SecretRow } from './integrations.repository.ts';

export interface CreateIntegrationInput {
  name: string;
  description?: string;
  scopes?: string[];
  preset?: string;
  createdBy?: string;
}

export interface UpdateIntegrationInput {
  name?: string;
  description?: string;
  scopes?: string[];
  preset?: string;
  disabled?: boolean;
  allowBrowserWrites?: boolean;
}

export interface RegenerateSecretOptions {
  /** How long the previous secret keeps working (default 0, at most 7 days). */
  graceSeconds?: number;
  /** When the new secret stops authenticating (epoch ms); absent: never. */
  expiresAt?: number;
}

export interface IntegrationPageQuery {
  search?: string;
  limit?: number;
  cursor?: string;
}

export interface IntegrationPage {
  data: Integration[];
  nextCursor: string | null;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

/** A page cursor names the last integration of the page (keyset), opaque to clients. */
const encodeCursor = (row: IntegrationRow) => Buffer.from(`${row.created_at}:${row.id}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!createdAt || !/^\d{1,16}$/.test(createdAt) || !id || !/^int_[0-9A-Za-z]{1,40}$/.test(id)) {
    throw invalid('Invalid cursor', ['cursor must be the nextCursor of a previous page']);
  }
  return { createdAt: Number(createdAt), id };
}

export const parseScopeList = (value: string): string[] => value.split(/[\s,]+/).filter(Boolean);

/** Resolves `scopes` or `preset` (never both) to catalog scopes; unknown scopes are refused. */
function resolveScopes(scopes: string[] | undefined, preset: string | undefined): Scope[] | undefined {
  if (scopes !== undefined && preset !== undefined) throw invalid('Give scopes or a preset, not both');
  if (preset !== undefined) {
    if (!isPresetName(preset)) throw invalid(`Unknown preset "${preset}"`, ['preset must be "all" or "read-only"']);
    return [...PRESETS[preset]];
  }
  if (scopes === undefined) return undefined;
  const unknown = scopes.filter((scope) => !isScope(scope));
  if (unknown.length) throw invalid('Unknown scopes', unknown.map((scope) => `"${scope}" is not in the scope catalog`));
  return normalizeScopes(scopes as Scope[]);
}

function checkText(name: string | undefined, description: string | undefined): string[] {
  const problems: string[] = [];
  if (name !== undefined && (name.trim().length < 1 || name.trim().length > 100)) problems.push('name must be 1 to 100 characters');
  if (description !== undefined && description.length > 500) problems.push('description must be at most 500 characters');
  return problems;
}

/** The next whole second: tokens minted from now on get `iat ≥ tokensNotBefore` (SPEC §2). */
const nextSecond = (ms: number) => Math.ceil((ms + 1) / 1000);

export class IntegrationsService {
  private readonly repository: IntegrationsRepository;
  private readonly environments: EnvironmentsRepository;

  constructor(
    db: Db,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly unitOfWork: UnitOfWork,
  ) {
    this.repository = new IntegrationsRepository(db);
    this.environments = new EnvironmentsRepository(db);
  }

  hashSecret(secret: string): string {
    return this.keyring.hmac('secret-hash', secret);
  }

  async create(environmentId: string, input: CreateIntegrationInput, actor: Actor = CLI_ACTOR): Promise<IntegrationWithSecret> {
    await this.requireEnvironment(environmentId);
    const problems = checkText(input.name ?? '', input.description);
    if (problems.length) throw invalid('Invalid integration', problems);
    const scopes = resolveScopes(input.scopes, input.preset) ?? [];
    const now = this.clock.now();
    const row: IntegrationRow = {
      id: newIntegrationId(),
      environment_id: environmentId,
      name: input.name.trim(),
      description: input.description ?? '',
      client_id: newClientId(),
      scopes: scopes.join(' '),
      disabled: 0,
      tokens_not_before: null,
      token_generation: 0,
      allow_browser_writes: 0,
      created_by: input.createdBy ?? `${actor.type}:${actor.id}`,
      created_at: now,
      updated_at: now,
    };
    const secret = generateClientSecret();
    const secretRow = this.secretRow(row, secret, now);
    await this.write(actor, this.change(row), this.audit(row, 'integration.create', { name: row.name, description: row.description, scopes }), async (repository) => {
      await repository.insert(row);
      await repository.insertSecret(secretRow);
    });
    return { ...this.toIntegration(row, [secretRow]), clientSecret: secret };
  }

  async list(environmentId: string): Promise<Integration[]> {
    await this.requireEnvironment(environmentId);
    const rows = await this.repository.list(environmentId);
    const secrets = await this.repository.secrets(
      environmentId,
      rows.map((row) => row.id),
    );
    return rows.map((row) => this.toIntegration(row, secrets.filter((secret) => secret.integration_id === row.id)));
  }

  /** One page of the environment's integrations, in creation order, optionally searched. */
  async page(environmentId: string, query: IntegrationPageQuery = {}): Promise<IntegrationPage> {
    await this.requireEnvironment(environmentId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw invalid('Invalid limit', [`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`]);
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    // One more than asked: whether a next page exists, without counting.
    const rows = await this.repository.page(environmentId, { search: query.search, limit: limit + 1, ...(after ? { after } : {}) });
    const page = rows.slice(0, limit);
    const secrets = await this.repository.secrets(
      environmentId,
      page.map((row) => row.id),
    );
    return {
      data: page.map((row) => this.toIntegration(row, secrets.filter((secret) => secret.integration_id === row.id))),
      nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null,
    };
  }

  async get(environmentId: string, idOrClientId: string): Promise<Integration> {
    const row = await this.requireIntegration(environmentId, idOrClientId);
    return this.toIntegration(row, await this.repository.secrets(environmentId, [row.id]));
  }

  async update(environmentId: string, idOrClientId: string, input: UpdateIntegrationInput, actor: Actor = CLI_ACTOR): Promise<Integration> {
    const current = await this.requireIntegration(environmentId, idOrClientId);
    const problems = checkText(input.name, input.description);
    if (problems.length) throw invalid('Invalid integration', problems);
    const scopes = resolveScopes(input.scopes, input.preset);
    const now = this.clock.now();
    const next: IntegrationRow = { ...current, updated_at: now };
    if (input.name !== undefined) next.name = input.name.trim();
    if (input.description !== undefined) next.description = input.description;

    let endReuse = false;
    let revoke = false;
    if (scopes !== undefined && scopes.join(' ') !== current.scopes) {
      next.scopes = scopes.join(' ');
      endReuse = true;
      // A removed permission dies with every token that carried it (SPEC §2).
      const kept = new Set<string>(scopes);
      revoke = current.scopes.split(' ').some((scope) => scope && !kept.has(scope));
    }
    if (input.disabled !== undefined && (input.disabled ? 1 : 0) !== current.disabled) {
      next.disabled = input.disabled ? 1 : 0;
      endReuse = true;
      revoke ||= input.disabled;
    }
    if (input.allowBrowserWrites !== undefined) next.allow_browser_writes = input.allowBrowserWrites ? 1 : 0;
    if (endReuse) next.token_generation = current.token_generation + 1;
    if (revoke) next.tokens_not_before = nextSecond(now);

    const changes: Record<string, unknown> = {};
    if (next.name !== current.name) changes.name = next.name;
    if (next.description !== current.description) changes.description = next.description;
    if (next.scopes !== current.scopes) changes.scopes = next.scopes ? next.scopes.split(' ') : [];
    if (next.disabled !== current.disabled) changes.disabled = next.disabled === 1;
    if (next.allow_browser_writes !== current.allow_browser_writes) changes.allowBrowserWrites = next.allow_browser_writes === 1;
    await this.write(actor, this.change(next), this.audit(next, 'integration.update', changes), (repository) => repository.update(environmentId, current.id, next));
    return this.toIntegration(next, await this.repository.secrets(environmentId, [current.id]));
  }

  async delete(environmentId: string, idOrClientId: string, actor: Actor = CLI_ACTOR): Promise<void> {
    const current = await this.requireIntegration(environmentId, idOrClientId);
    await this.write(actor, this.change(current), this.audit(current, 'integration.delete', { name: current.name }), (repository) => repository.delete(environmentId, current.id));
  }

  /**
   * A new secret, shown this once. The previous one keeps working for `graceSeconds` (default 0,
   * at most 7 days) so a deployment can roll out the new one without downtime; the new one may
   * carry an expiry, after which it authenticates nothing (SPEC §3). Accepts the grace period
   * alone, as the CLI has always passed it, or the options.
   */
  async regenerateSecret(
    environmentId: string,
    idOrClientId: string,
    graceOrOptions: number | RegenerateSecretOptions = 0,
    actor: Actor = CLI_ACTOR,
  ): Promise<IntegrationWithSecret> {
    const options = typeof graceOrOptions === 'number' ? { graceSeconds: graceOrOptions } : graceOrOptions;
    const graceSeconds = options.graceSeconds ?? 0;
    const problems: string[] = [];
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_SECRET_GRACE_SECONDS) {
      problems.push(`graceSeconds must be an integer from 0 to ${MAX_SECRET_GRACE_SECONDS} (7 days)`);
    }
    const now = this.clock.now();
    if (options.expiresAt !== undefined && !(Number.isFinite(options.expiresAt) && options.expiresAt > now)) problems.push('expiresAt must be in the future');
    if (problems.length) throw invalid(problems[0]!.startsWith('grace') ? 'Invalid grace period' : 'Invalid secret expiry', problems);
    const current = await this.requireIntegration(environmentId, idOrClientId);
    const existing = await this.repository.secrets(environmentId, [current.id]);
    const secret = generateClientSecret();
    // Strictly newer than every existing secret, even within one millisecond (a frozen test
    // clock): the newest secret is the current one, by creation time alone.
    const secretRow = this.secretRow(current, secret, Math.max(now, (existing.at(-1)?.created_at ?? 0) + 1));
    secretRow.expires_at = options.expiresAt ?? null;
    const changes = { secretId: secretRow.id, graceSeconds, ...(options.expiresAt !== undefined ? { expiresAt: iso(options.expiresAt) } : {}) };
    await this.write(actor, this.change(current), this.audit(current, 'integration.secret.regenerate', changes), async (repository) => {
      await repository.retireSecrets(environmentId, current.id, now + graceSeconds * 1000, now);
      await repository.insertSecret(secretRow);
      await repository.update(environmentId, current.id, { updated_at: now });
    });
    const updated = { ...current, updated_at: now };
    return { ...this.toIntegration(updated, await this.repository.secrets(environmentId, [current.id])), clientSecret: secret };
  }

  /**
   * Ends a previous secret's grace period early. The current secret cannot go this way (the
   * integration would have none): regenerate it instead.
   */
  async deleteSecret(environmentId: string, idOrClientId: string, secretId: string, actor: Actor = CLI_ACTOR): Promise<Integration> {
    const current = await this.requireIntegration(environmentId, idOrClientId);
    const secrets = await this.repository.secrets(environmentId, [current.id]);
    const target = secrets.find((secret) => secret.id === secretId);
    if (!target) throw notFound(`Secret "${secretId}" of integration "${idOrClientId}"`);
    if (target === secrets.at(-1)) {
      throw new AppError('conflict', "This is the integration's current secret: regenerate it instead (the integration would have none).");
    }
    const now = this.clock.now();
    await this.write(actor, this.change(current), this.audit(current, 'integration.secret.delete', { secretId }), async (repository) => {
      await repository.deleteSecret(environmentId, current.id, secretId);
      await repository.update(environmentId, current.id, { updated_at: now });
    });
    return this.toIntegration({ ...current, updated_at: now }, await this.repository.secrets(environmentId, [current.id]));
  }

  /** "Revoke all tokens": every token issued before now is dead, and reuse starts over. */
  async revokeTokens(environmentId: string, idOrClientId: string, actor: Actor = CLI_ACTOR): Promise<Integration> {
    const current = await this.requireIntegration(environmentId, idOrClientId);
    const now = this.clock.now();
    const next: IntegrationRow = {
      ...current,
      tokens_not_before: nextSecond(now),
      token_generation: current.token_generation + 1,
      updated_at: now,
    };
    await this.write(actor, this.change(next), this.audit(next, 'integration.tokens.revoke', { tokensNotBefore: iso(next.tokens_not_before! * 1000) }), (repository) =>
      repository.update(environmentId, current.id, next),
    );
    return this.toIntegration(next, await this.repository.secrets(environmentId, [current.id]));
  }

  private audit(row: IntegrationRow, action: string, changes: Record<string, unknown>): AuditEvent {
    return { environmentId: row.environment_id, action, target: { type: 'integration', id: row.id }, changes };
  }

  private change(row: IntegrationRow): Change {
    return { kind: 'integration', environmentId: row.environment_id, entityId: row.client_id };
  }

  /** The change, its change-feed row and its audit row in one transaction (the one write path). */
  private write(actor: Actor, change: Change, audit: AuditEvent, work: (repository: IntegrationsRepository) => Promise<void>): Promise<void> {
    return this.unitOfWork.commit({ actor, change, audit }, (trx) => work(this.repository.withTransaction(trx)));
  }

  private secretRow(row: IntegrationRow, secret: string, now: number): SecretRow {
    return {
      id: newSecretId(),
      integration_id: row.id,
      environment_id: row.environment_id,
      secret_hash: this.hashSecret(secret),
      master_key_id: this.keyring.id,
      hint: secretHint(secret),
      created_at: now,
      expires_at: null,
      last_used_at: null,
    };
  }

  private async requireEnvironment(environmentId: string): Promise<void> {
    if (!(await this.environments.find(environmentId))) throw notFound(`Environment "${environmentId}"`);
  }

  private async requireIntegration(environmentId: string, idOrClientId: string): Promise<IntegrationRow> {
    await this.requireEnvironment(environmentId);
    const row = await this.repository.find(environmentId, idOrClientId);
    if (!row) throw notFound(`Integration "${idOrClientId}" in environment "${environmentId}"`);
    return row;
  }

  /**
   * The wire shape. A previous secret is listed while its grace period lasts; the current one
   * (the newest) always, even once its own expiry has passed, so the console can say so.
   */
  toIntegration(row: IntegrationRow, secrets: SecretRow[]): Integration {
    const now = this.clock.now();
    const newest = secrets.at(-1);
    return {
      id: row.id,
      environment: row.environment_id,
      name: row.name,
      description: row.description,
      clientId: row.client_id,
      scopes: row.scopes ? (row.scopes.split(' ') as Scope[]) : [],
      disabled: row.disabled === 1,
      allowBrowserWrites: row.allow_browser_writes === 1,
      tokensNotBefore: row.tokens_not_before == null ? null : iso(row.tokens_not_before * 1000),
      secrets: secrets
        .filter((secret) => secret === newest || secret.expires_at == null || secret.expires_at > now)
        .map((secret) => ({
          id: secret.id,
          hint: secret.hint,
          createdAt: iso(secret.created_at)!,
          expiresAt: iso(secret.expires_at),
          expiresSoon: secret.expires_at != null && secret.expires_at - now <= EXPIRES_SOON_SECONDS * 1000,
          lastUsedAt: iso(secret.last_used_at),
        })),
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
    };
  }
}

