import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { ROOT } from './paths.ts';
import type { SortOrder } from './paging.ts';

/**
 * SQL fragments shared by the content repositories (the only callers: repositories are the one
 * door to SQL). Column names come from code, never from a request.
 */

/**
 * Rows strictly after `keys` in the order of `columns` (a row-value comparison, which SQLite ≥ 3.15
 * and PostgreSQL both evaluate, and both serve from a matching index).
 */
export function keysetAfter(columns: readonly string[], keys: readonly string[], order: SortOrder): RawBuilder<SqlBool> {
  const left = sql.join(columns.map((column) => sql.ref(column)));
  const right = sql.join(keys.map((key) => sql.val(key)));
  return order === 'asc' ? sql<SqlBool>`(${left}) > (${right})` : sql<SqlBool>`(${left}) < (${right})`;
}

/** `%`, `_` and the escape character itself, escaped for LIKE … ESCAPE '\'. */
const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A case-insensitive substring of the name (on the lower-cased `name_key`), or the exact id.
 * Both sides are lower-cased by JavaScript, so SQLite and PostgreSQL agree beyond ASCII.
 */
export function searchMatches(nameKeyColumn: string, idColumn: string, search: string): RawBuilder<SqlBool> {
  const pattern = `%${escapeLike(search.toLowerCase())}%`;
  return sql<SqlBool>`(${sql.ref(nameKeyColumn)} like ${pattern} escape '\\' or ${sql.ref(idColumn)} = ${search})`;
}

/** Items in `folder` itself, or (with subfolders) anywhere below it. */
export function inFolder(folderColumn: string, folder: string, includeSubfolders: boolean): RawBuilder<SqlBool> {
  const column = sql.ref(folderColumn);
  if (!includeSubfolders) return sql<SqlBool>`${column} = ${folder}`;
  if (folder === ROOT) return sql<SqlBool>`1 = 1`;
  return sql<SqlBool>`(${column} = ${folder} or ${column} like ${`${escapeLike(folder)}/%`} escape '\\')`;
}

/** Folder paths strictly below `folder` (for deriving directory entries). */
export function belowFolder(folderColumn: string, folder: string): RawBuilder<SqlBool> {
  if (folder === ROOT) return sql<SqlBool>`${sql.ref(folderColumn)} <> ${ROOT}`;
  return sql<SqlBool>`${sql.ref(folderColumn)} like ${`${escapeLike(folder)}/%`} escape '\\'`;
}

/** A unique-constraint violation on either dialect (a concurrent writer won a race). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Runs a write whose name check a concurrent writer can race past: the unique index catches it,
 * and the caller's `conflict` error is thrown instead of the database's.
 */
export async function conflictOnUniqueViolation<T>(conflict: () => Error, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  }
}
