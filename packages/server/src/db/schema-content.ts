/**
 * Tables of the Environment API's content (templates, collections, projects, media, fonts) and
 * of the database file store. Kept apart from
 * schema.ts so the content modules own their own table types; `Database` extends this.
 *
 * `name_key` columns hold the name lower-cased (JavaScript's `toLowerCase`): sorting and search
 * by name are case-insensitive, as GraFx users expect, and the same on SQLite and PostgreSQL.
 * Sortable text compares by code point on both dialects (BINARY on SQLite, `collate "C"` on
 * PostgreSQL), so keyset paging sees one order wherever it runs.
 */
export interface ContentTables {
  templates: {
    id: string;
    environment_id: string;
    name: string;
    name_key: string;
    /** The parent folder: `/` or `/a/b` (no trailing slash). */
    folder_path: string;
    /** The raw JSON document, exactly as uploaded. */
    document: string;
    /** Strong ETag of the document's bytes (computed once, at write time). */
    document_etag: string;
    document_size: number;
    created_at: number;
    updated_at: number;
  };
  template_collections: {
    id: string;
    environment_id: string;
    name: string;
    name_key: string;
    description: string;
    created_at: number;
    updated_at: number;
  };
  template_collection_templates: {
    collection_id: string;
    template_id: string;
    environment_id: string;
    added_at: number;
  };
  projects: {
    id: string;
    environment_id: string;
    /** The owner: other integrations of the environment never see the project. */
    integration_id: string;
    name: string;
    name_key: string;
    /** The template it was copied from (no foreign key: the project outlives its template). */
    template_id: string;
    document: string;
    document_etag: string;
    document_size: number;
    created_at: number;
    updated_at: number;
  };
  /**
   * The database file store (LATCHKEY_FILE_STORE=database): one row per stored file. A file is
   * written as chunks under a fresh `id` with `file_key` null, then named in one small
   * transaction — the database's equivalent of write-to-a-temporary-name-then-rename.
   */
  file_objects: {
    id: string;
    /** Null while being written (or abandoned by a crash: swept by age). */
    file_key: string | null;
    /** The key's first segment (an environment id): what the orphan sweep groups by. */
    scope: string;
    size: number;
    /** Hex SHA-256 of the bytes. */
    sha256: string;
    chunk_size: number;
    chunk_count: number;
    created_at: number;
    completed_at: number | null;
  };
  file_chunks: {
    object_id: string;
    seq: number;
    data: Buffer;
  };
  media: {
    id: string;
    environment_id: string;
    name: string;
    name_key: string;
    folder_path: string;
    /** The sniffed type: jpeg, png, gif, webp, tiff, avif, svg or pdf. */
    format: string;
    content_type: string;
    extension: string;
    width: number | null;
    height: number | null;
    /** JSON object of strings (GraFx's `metaData: Record<string, string>`). */
    meta_data: string;
    file_key: string;
    file_size: number;
    /** Hex SHA-256 of the original bytes (the download's strong ETag derives from it). */
    sha256: string;
    created_at: number;
    updated_at: number;
  };
  /** A generated preview of a media item: ready (bytes in the file store) or failed for good. */
  media_previews: {
    media_id: string;
    environment_id: string;
    /** thumbnail | medium | highest | x4096 | full */
    rendition: string;
    status: 'ready' | 'failed';
    content_type: string | null;
    file_key: string | null;
    size: number | null;
    sha256: string | null;
    width: number | null;
    height: number | null;
    /** Why generation failed (logged and kept; never sent). */
    failure: string | null;
    created_at: number;
  };
  font_families: {
    id: string;
    environment_id: string;
    name: string;
    name_key: string;
    created_at: number;
    updated_at: number;
  };
  font_styles: {
    id: string;
    environment_id: string;
    family_id: string;
    name: string;
    name_key: string;
    file_name: string;
    /** ttf, otf, woff or woff2 (sniffed). */
    extension: string;
    file_key: string;
    file_size: number;
    sha256: string;
    created_at: number;
    updated_at: number;
  };
  /** Step 1 of a font upload: a batch of read fonts waiting for confirmation (or expiry). */
  font_upload_batches: {
    id: string;
    environment_id: string;
    /** The integration that uploaded it: no other caller can see, change or confirm it. */
    integration_id: string;
    created_at: number;
    expires_at: number;
  };
  font_upload_items: {
    /** The font style id it will have once confirmed. */
    id: string;
    batch_id: string;
    environment_id: string;
    position: number;
    file_name: string;
    extension: string | null;
    /** Null when the file was refused (its bytes were never stored). */
    file_key: string | null;
    file_size: number;
    sha256: string | null;
    family_name: string;
    style_name: string;
    /** JSON array of what makes the file unusable as read (format, damage); name problems are computed. */
    errors: string;
  };
}
