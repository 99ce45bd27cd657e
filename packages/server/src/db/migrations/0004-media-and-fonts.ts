import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';

/**
 * Media, fonts and their stored bytes.
 *
 * Sortable text compares by code point on both dialects (see 0003-content): `collate "C"` on
 * PostgreSQL, SQLite's default BINARY. The bytes themselves live in the file store: the data dir,
 * or `file_objects` + `file_chunks` here when LATCHKEY_FILE_STORE=database.
 */
export const mediaAndFonts: Migration = {
  name: '0004-media-and-fonts',
  async up(db, dialect) {
    const bigint = 'bigint' as const;
    const sortable = (type: string) => (dialect === 'postgres' ? sql.raw(`${type} collate "C"`) : sql.raw(type));
    const environment = 'varchar(63)';
    const blob = dialect === 'postgres' ? 'bytea' : 'blob';

    // ── The database file store ────────────────────────────────────────────────────────────
    await db.schema
      .createTable('file_objects')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      // Unique among named files; any number of nulls (files being written) on both dialects.
      .addColumn('file_key', 'varchar(400)', (c) => c.unique())
      .addColumn('scope', 'varchar(100)', (c) => c.notNull())
      .addColumn('size', bigint, (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('chunk_size', 'integer', (c) => c.notNull())
      .addColumn('chunk_count', 'integer', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('completed_at', bigint)
      .execute();
    await db.schema.createIndex('file_objects_scope').on('file_objects').columns(['scope']).execute();
    await db.schema.createIndex('file_objects_pending').on('file_objects').columns(['completed_at', 'created_at']).execute();
    await db.schema
      .createTable('file_chunks')
      .addColumn('object_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('data', sql.raw(blob), (c) => c.notNull())
      .addPrimaryKeyConstraint('file_chunks_pk', ['object_id', 'seq'])
      .execute();

    // ── Media ──────────────────────────────────────────────────────────────────────────────
    await db.schema
      .createTable('media')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('folder_path', sortable('varchar(1024)'), (c) => c.notNull())
      .addColumn('format', 'varchar(10)', (c) => c.notNull())
      .addColumn('content_type', 'varchar(40)', (c) => c.notNull())
      .addColumn('extension', 'varchar(10)', (c) => c.notNull())
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('meta_data', 'text', (c) => c.notNull())
      .addColumn('file_key', 'varchar(400)', (c) => c.notNull())
      .addColumn('file_size', bigint, (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    // One name per folder (case-insensitive), as templates; also serves folder filters and relativePath order.
    await db.schema.createIndex('media_folder_name').unique().on('media').columns(['environment_id', 'folder_path', 'name_key']).execute();
    await db.schema.createIndex('media_name').on('media').columns(['environment_id', 'name_key', 'id']).execute();
    await db.schema.createIndex('media_environment').on('media').columns(['environment_id', 'id']).execute();

    await db.schema
      .createTable('media_previews')
      .addColumn('media_id', 'varchar(40)', (c) => c.notNull().references('media.id').onDelete('cascade'))
      .addColumn('environment_id', environment, (c) => c.notNull())
      .addColumn('rendition', 'varchar(20)', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('content_type', 'varchar(40)')
      .addColumn('file_key', 'varchar(400)')
      .addColumn('size', bigint)
      .addColumn('sha256', 'varchar(64)')
      .addColumn('width', 'integer')
      .addColumn('height', 'integer')
      .addColumn('failure', 'varchar(500)')
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('media_previews_pk', ['media_id', 'rendition'])
      .execute();

    // ── Fonts ──────────────────────────────────────────────────────────────────────────────
    await db.schema
      .createTable('font_families')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('font_families_name').unique().on('font_families').columns(['environment_id', 'name_key']).execute();
    await db.schema.createIndex('font_families_environment').on('font_families').columns(['environment_id', 'id']).execute();

    await db.schema
      .createTable('font_styles')
      .addColumn('id', sortable('varchar(40)'), (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('family_id', 'varchar(40)', (c) => c.notNull().references('font_families.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('name_key', sortable('text'), (c) => c.notNull())
      .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('extension', 'varchar(10)', (c) => c.notNull())
      .addColumn('file_key', 'varchar(400)', (c) => c.notNull())
      .addColumn('file_size', bigint, (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('updated_at', bigint, (c) => c.notNull())
      .execute();
    // One style name per family (case-insensitive); also serves a family's styles by name.
    await db.schema.createIndex('font_styles_family_name').unique().on('font_styles').columns(['family_id', 'name_key']).execute();
    await db.schema.createIndex('font_styles_environment').on('font_styles').columns(['environment_id', 'id']).execute();

    await db.schema
      .createTable('font_upload_batches')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('environment_id', environment, (c) => c.notNull().references('environments.id').onDelete('cascade'))
      .addColumn('integration_id', 'varchar(40)', (c) => c.notNull())
      .addColumn('created_at', bigint, (c) => c.notNull())
      .addColumn('expires_at', bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('font_upload_batches_expiry').on('font_upload_batches').columns(['expires_at']).execute();
    await db.schema
      .createTable('font_upload_items')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('batch_id', 'varchar(40)', (c) => c.notNull().references('font_upload_batches.id').onDelete('cascade'))
      .addColumn('environment_id', environment, (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('extension', 'varchar(10)')
      .addColumn('file_key', 'varchar(400)')
      .addColumn('file_size', bigint, (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)')
      .addColumn('family_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('style_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('errors', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('font_upload_items_batch').on('font_upload_items').columns(['batch_id', 'position']).execute();
  },
};
