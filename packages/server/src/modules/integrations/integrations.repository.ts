import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';

export type IntegrationRow = Database['integrations'];
export type SecretRow = Database['integration_secrets'];

/** The only code that reads or writes integrations and their secrets. */
export class IntegrationsRepository {
  constructor(private readonly db: DbOrTrx) {}

  withTransaction(trx: DbOrTrx): IntegrationsRepository {
    return new IntegrationsRepository(trx);
  }

  async insert(row: IntegrationRow): Promise<void> {
    await this.db.insertInto('integrations').values(row).execute();
  }

  list(environmentId: string): Promise<IntegrationRow[]> {
    return this.db
      .selectFrom('integrations')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** By `id` or by `clientId`, always inside one environment. */
  find(environmentId: string, idOrClientId: string): Promise<IntegrationRow | undefined> {
    return this.db
      .selectFrom('integrations')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where((eb) => eb.or([eb('id', '=', idOrClientId), eb('client_id', '=', idOrClientId)]))
      .executeTakeFirst();
  }

  async update(environmentId: string, id: string, patch: Partial<IntegrationRow>): Promise<void> {
    await this.db.updateTable('integrations').set(patch).where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  async delete(environmentId: string, id: string): Promise<void> {
    await this.db.deleteFrom('integrations').where('environment_id', '=', environmentId).where('id', '=', id).execute();
  }

  secrets(environmentId: string, integrationIds: string[]): Promise<SecretRow[]> {
    if (integrationIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('integration_secrets')
      .selectAll()
      .where('environment_id', '=', environmentId)
      .where('integration_id', 'in', integrationIds)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async insertSecret(row: SecretRow): Promise<void> {
    await this.db.insertInto('integration_secrets').values(row).execute();
  }

  /**
   * Retires the current secret (the newest) while a new one is inserted: every older secret goes,
   * and the current one keeps working until `graceEndsAt` (or its own earlier expiry), or goes at
   * once when that moment has passed. At most two secrets remain: this one and the new one.
   */
  async retireSecrets(environmentId: string, integrationId: string, graceEndsAt: number, now: number): Promise<void> {
    const current = (await this.secrets(environmentId, [integrationId])).at(-1);
    const others = this.db.deleteFrom('integration_secrets').where('environment_id', '=', environmentId).where('integration_id', '=', integrationId);
    if (!current) return;
    await others.where('id', '!=', current.id).execute();
    const endsAt = current.expires_at == null ? graceEndsAt : Math.min(current.expires_at, graceEndsAt);
    if (endsAt <= now) await this.deleteSecret(environmentId, integrationId, current.id);
    else await this.db.updateTable('integration_secrets').set({ expires_at: endsAt }).where('environment_id', '=', environmentId).where('id', '=', current.id).execute();
  }

  async deleteSecret(environmentId: string, integrationId: string, secretId: string): Promise<void> {
    await this.db
      .deleteFrom('integration_secrets')
      .where('environment_id', '=', environmentId)
      .where('integration_id', '=', integrationId)
      .where('id', '=', secretId)
      .execute();
  }

  /**
   * One page of an environment's integrations in creation order (keyset on created_at, id: a page
   * never repeats or skips one when others are added meanwhile), optionally filtered by a search
   * on name, description, id and client id, case-insensitively on both dialects.
   */
  page(environmentId: string, options: { search?: string; limit: number; after?: { createdAt: number; id: string } }): Promise<IntegrationRow[]> {
    let query = this.db.selectFrom('integrations').selectAll().where('environment_id', '=', environmentId);
    const search = options.search?.trim();
    if (search) {
      const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          sql<boolean>`lower(name) like ${pattern} escape '\\'`,
          sql<boolean>`lower(description) like ${pattern} escape '\\'`,
          eb('id', '=', search),
          eb('client_id', '=', search),
        ]),
      );
    }
    if (options.after) {
      const { createdAt, id } = options.after;
      query = query.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
    }
    return query.orderBy('created_at').orderBy('id').limit(options.limit).execute();
  }

  /**
   * The token endpoint's lookup: a request names only its public client id, which is what
   * decides the environment. One query of one shape whether or not the client exists, so the
   * time it takes says nothing about existence (a known id used to cost three queries).
   */
  async findForAuthentication(clientId: string): Promise<
    | {
        integration: IntegrationRow;
        environment: Pick<Database['environments'], 'token_ttl_seconds' | 'token_reuse_window_seconds'>;
        secrets: Array<Pick<SecretRow, 'id' | 'secret_hash' | 'expires_at'>>;
      }
    | undefined
  > {
    const rows = await this.db
      .selectFrom('integrations')
      .innerJoin('environments', 'environments.id', 'integrations.environment_id')
      .leftJoin('integration_secrets', (join) =>
        join.onRef('integration_secrets.integration_id', '=', 'integrations.id').onRef('integration_secrets.environment_id', '=', 'integrations.environment_id'),
      )
      .selectAll('integrations')
      .select([
        'environments.token_ttl_seconds',
        'environments.token_reuse_window_seconds',
        'integration_secrets.id as secret_id',
        'integration_secrets.secret_hash',
        'integration_secrets.expires_at as secret_expires_at',
        'integration_secrets.created_at as secret_created_at',
      ])
      .where('integrations.client_id', '=', clientId)
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    const { token_ttl_seconds, token_reuse_window_seconds, secret_id: _id, secret_hash: _hash, secret_expires_at: _expires, secret_created_at: _created, ...integration } = first;
    const secrets = rows
      .filter((row) => row.secret_id !== null)
      .sort((a, b) => Number(a.secret_created_at) - Number(b.secret_created_at))
      .map((row) => ({ id: row.secret_id!, secret_hash: row.secret_hash!, expires_at: row.secret_expires_at ?? null }));
    return { integration: integration as IntegrationRow, environment: { token_ttl_seconds, token_reuse_window_seconds }, secrets };
  }

  /** Which integrations these client ids name (the batched audit of refused token requests). */
  findByClientIds(clientIds: string[]): Promise<Array<Pick<IntegrationRow, 'id' | 'environment_id' | 'client_id'>>> {
    if (clientIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('integrations').select(['id', 'environment_id', 'client_id']).where('client_id', 'in', clientIds).execute();
  }

  /** Writes a batch of `lastUsedAt` values in one transaction (never one write per token). */
  async touchSecrets(lastUsed: Iterable<{ environmentId: string; secretId: string; at: number }>): Promise<void> {
    for (const { environmentId, secretId, at } of lastUsed) {
      await this.db
        .updateTable('integration_secrets')
        .set({ last_used_at: at })
        .where('environment_id', '=', environmentId)
        .where('id', '=', secretId)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }
}
