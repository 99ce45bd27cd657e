import type { Migration } from '../migrate.ts';

/** Users, memberships, sessions, personal access tokens, first-owner setup tokens, hourly activity. */
export const peopleAndAccess: Migration = {
  name: '0005-people-and-access',
  async up(db) {
    const bigint = 'bigint' as const;
    await db.schema
      .createTable('users')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('email', 'varchar(254)', (c) => c.notNull().unique())
      .addColumn('password_hash', 'varchar(200)', (c) => c.notNull())
      .addColumn('platform_role', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .addColumn('last_sign_in_at', bigint)
      .execute();
    await db.schema
      .createTable('memberships')
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('user_id', 'varchar(40)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['environment_id', 'user_id'])
      .execute();
    await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();
    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(40)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('master_key_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('last_seen_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .addColumn('address', 'varchar(64)')
      .addColumn('user_agent', 'varchar(300)')
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
    await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
    await db.schema
      .createTable('personal_access_tokens')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(40)', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('master_key_id', 'varchar(32)', (c) => c.notNull())
      .addColumn('hint', 'varchar(16)', (c) => c.notNull())
      .addColumn('access', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint)
      .addColumn('last_used_at', bigint)
      .execute();
    await db.schema.createIndex('personal_access_tokens_user').on('personal_access_tokens').column('user_id').execute();
    await db.schema
      .createTable('setup_tokens')
      .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .addColumn('used_at', bigint)
      .execute();
    // No foreign key to integrations: a batch counted before a deletion must still be writable;
    // the rows of a deleted integration age out with the others.
    await db.schema
      .createTable('integration_activity')
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('hour', bigint, (c) => c.notNull())
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull())
      .addColumn('minted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('reused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('integration_activity_pk', ['integration_id', 'hour'])
      .execute();
    await db.schema.createIndex('integration_activity_hour').on('integration_activity').column('hour').execute();
    // Retention sweeps delete by age; the environment's list reads by (environment_id, at, id).
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  },
};
