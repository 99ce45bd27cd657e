import type { Migration } from '../migrate.ts';

/** Revoked token ids (RFC 7009), the audit log, and the browser-writes flag of integrations. */
export const revocationAndAudit: Migration = {
  name: '0002-revocation-and-audit',
  async up(db) {
    const bigint = 'bigint' as const;
    await db.schema
      .createTable('revoked_tokens')
      .addColumn('jti', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('environment_id', 'varchar(63)', (c) => c.notNull())
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('revoked_at', bigint, (c) => c.notNull())
      /** Epoch seconds: the row can go once the token would have expired anyway. */
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('revoked_tokens_expires').on('revoked_tokens').column('expires_at').execute();
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('environment_id', 'varchar(63)')
      .addColumn('at', bigint, (c) => c.notNull())
      .addColumn('actor_type', 'varchar(20)', (c) => c.notNull())
      .addColumn('actor_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('action', 'varchar(80)', (c) => c.notNull())
      .addColumn('target_type', 'varchar(40)', (c) => c.notNull())
      .addColumn('target_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('changes', 'text')
      .addColumn('reason', 'varchar(80)')
      .addColumn('address', 'varchar(64)')
      .addColumn('user_agent', 'varchar(300)')
      .execute();
    await db.schema.createIndex('audit_log_environment_at').on('audit_log').columns(['environment_id', 'at', 'id']).execute();
    await db.schema.alterTable('integrations').addColumn('allow_browser_writes', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
};
