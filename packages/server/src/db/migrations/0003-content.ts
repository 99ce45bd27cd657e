import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';

/**
 * The Environment API's content: templates, template collections, projects.
 *
 * Text that keyset paging sorts on compares by code point on both dialects: SQLite's default
 * BINARY collation does, PostgreSQL needs `collate "C"` (its default collation follows the
 * locale, and would page differently from SQLite).
 */
export const content: Migration = {
  name: '0003-content',
  async up(db, dialect) {
    const bigint = 'bigint' as const;
    const sortable = (type: string) => (dialect === 'postgres' ? sql.raw(`${type} collate "C"`) : sql.raw(type));
    const environment = 'varchar(63)';

    await db.schema
      .createTable('templates')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      // Lower-casing can lengthen a string (İ → i̇), so the key is text, not varchar(255).
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('folder_path', sortable('varchar(1024)'), (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('document_etag', 'varchar(64)', (c) => c.notNull())
      .addColumn('document_size', 'integer', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    // One name per folder (case-insensitive); also serves folder filters and relativePath order.
    await db.schema.createIndex('templates_folder_name').unique().on('templates').columns(['environment_id', 'folder_path', 'name_key']).execute();
    await db.schema.createIndex('templates_name').on('templates').columns(['environment_id', 'name_key', 'id']).execute();
    await db.schema.createIndex('templates_environment').on('templates').columns(['environment_id', 'id']).execute();

    await db.schema
      .createTable('template_collections')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    // SPEC §4: a duplicate collection name is refused; case-insensitively, as names are shown.
    await db.schema.createIndex('template_collections_name').unique().on('template_collections').columns(['environment_id', 'name_key']).execute();
    await db.schema.createIndex('template_collections_environment').on('template_collections').columns(['environment_id', 'id']).execute();

    await db.schema
      .createTable('template_collection_templates')
      .addColumn('collection_id', 'varchar(40)', (c) => c.notNull().references('template_collections.id').onDelete('cascade'))
      .addColumn('template_id', 'varchar(40)', (c) => c.notNull().references('templates.id').onDelete('cascade'))
      .addColumn('environment_id', environment, (c) => c.notNull())
      .addColumn('added_at', bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('template_collection_templates_pk', ['collection_id', 'template_id'])
      .execute();
    // "How many collections hold this template" (DELETE templates/{id}) without a scan.
    await db.schema
      .createIndex('template_collection_templates_template')
      .on('template_collection_templates')
      .columns(['environment_id', 'template_id'])
      .execute();

    await db.schema
      .createTable('projects')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      // A project nobody can reach any more is only a liability: it goes with its integration.
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('template_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('document_etag', 'varchar(64)', (c) => c.notNull())
      .addColumn('document_size', 'integer', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('projects_owner_name').on('projects').columns(['environment_id', 'integration_id', 'name_key', 'id']).execute();
    await db.schema.createIndex('projects_owner').on('projects').columns(['environment_id', 'integration_id', 'id']).execute();
  },
};
