import type { Migration } from '../migrate.ts';

/** The foundation: environments, integrations and their secrets, signing keys, token reuse, change feed. */
export const initial: Migration = {
  name: '0001-initial',
  async up(db, dialect) {
    const bigint = 'bigint' as const;
    await db.schema
      .createTable('latchkey_meta')
      .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('environments')
      .addColumn('id', 'varchar(63)', (c) => c.primaryKey())
      .addColumn('display_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('token_ttl_seconds', 'integer', (c) => c.notNull())
      .addColumn('token_reuse_window_seconds', 'integer', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('integrations')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('description', 'varchar(500)', (c) => c.notNull())
      .addColumn('client_id', 'varchar(32)', (c) => c.notNull().unique())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('tokens_not_before', bigint)
      .addColumn('token_generation', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'varchar(200)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('integrations_environment').on('integrations').columns(['environment_id', 'created_at']).execute();
    await db.schema
      .createTable('integration_secrets')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull())
      .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('master_key_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('hint', 'varchar(16)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint)
      .addColumn('last_used_at', bigint)
      .execute();
    await db.schema.createIndex('integration_secrets_integration').on('integration_secrets').column('integration_id').execute();
    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('alg', 'varchar(10)', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('activates_at', bigint, (c) => c.notNull())
      .addColumn('retires_at', bigint)
      .addColumn('unpublish_at', bigint)
      .addColumn('revoked_at', bigint)
      .execute();
    await db.schema
      .createTable('reusable_tokens')
      .addColumn('cache_key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull())
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
      .addColumn('jti', 'varchar(40)', (c) => c.notNull())
      .addColumn('kid', 'varchar(40)', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('master_key_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('issued_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('reusable_tokens_integration').on('reusable_tokens').column('integration_id').execute();
    await db.schema
      .createTable('change_feed')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull())
      .addColumn('kind', 'varchar(40)', (c) => c.notNull())
      .addColumn('entity_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('change_feed_created').on('change_feed').column('created_at').execute();
  },
};
