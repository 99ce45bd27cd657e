import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { iso } from '../../infra/clock.ts';
import type { FolderEntry } from './pager.ts';

/**
 * Wire schemas shared by the Environment API's resources. Response schemas double as the
 * serializer (fast-json-stringify): only what they name is ever sent.
 */

/**
 * List query parameters, all plain strings: SPEC §4 treats an empty parameter as absent and
 * sortBy in any case, so paging.ts normalises them and answers with precise 400s.
 */
export const ListQuerySchema = Type.Object({
  limit: Type.Optional(Type.String()),
  // An array when a client appended the whole nextPage URL unencoded; paging.ts takes the last.
  nextPageToken: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 10 })])),
  search: Type.Optional(Type.String()),
  sortBy: Type.Optional(Type.String()),
  sortOrder: Type.Optional(Type.String()),
  folder: Type.Optional(Type.String()),
  includeFolders: Type.Optional(Type.String()),
  includeItemsFromSubfolders: Type.Optional(Type.String()),
});

/** `type: [x, 'null']` rather than anyOf: fast-json-stringify serialises it without trial runs. */
const nullable = <T>(type: 'integer' | 'number' | 'string') => Type.Unsafe<T | null>({ type: [type, 'null'] });

/** SPEC §4's item of media and templates; `type` 0 is an item, 1 a directory. */
export const ItemSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  relativePath: Type.String(),
  extension: nullable<string>('string'),
  type: Type.Integer(),
  width: nullable<number>('number'),
  height: nullable<number>('number'),
  metaData: Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: true }),
  dateCreated: nullable<string>('string'),
  lastModified: nullable<string>('string'),
});
export type Item = Static<typeof ItemSchema>;

/** A folder as a list entry: its path is its id, its parent its relativePath (SPEC §4). */
export function directoryItem(folder: FolderEntry): Item {
  return {
    id: folder.path,
    name: folder.name,
    relativePath: folder.parent,
    extension: null,
    type: 1,
    width: null,
    height: null,
    metaData: null,
    dateCreated: null,
    lastModified: null,
  };
}

/** `{data, pageSize, links: {nextPage}, total}` around `item`. */
export const ListSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    data: Type.Array(item),
    pageSize: Type.Integer(),
    links: Type.Object({ nextPage: Type.String() }),
    total: Type.Integer(),
  });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

/** Epoch milliseconds as the API's ISO 8601 timestamps. */
export const timestamp = (ms: number): string => iso(ms)!;
