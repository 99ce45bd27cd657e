/**
 * Tables of the Environment API's content (templates, collections, projects). Kept apart from
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
}
