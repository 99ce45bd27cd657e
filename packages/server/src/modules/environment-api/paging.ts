import { AppError } from '../../errors.ts';
import { normalizeFolderPath, ROOT } from './paths.ts';

/**
 * Lists of the Environment API (SPEC §4): query parsing, opaque page tokens and the envelope.
 * Paging is keyset paging on the sort key plus the id, so a page never repeats or skips an item
 * when others are added meanwhile; the token carries the sort and the filters it was made under.
 */

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
const MAX_SEARCH_LENGTH = 255;
const MAX_TOKEN_LENGTH = 4096;
const TOKEN_VERSION = 1;

export const SORT_FIELDS = ['name', 'id', 'relativePath'] as const;
export type SortBy = (typeof SORT_FIELDS)[number];
export type SortOrder = 'asc' | 'desc';

/** The query as it arrives: every parameter a string (the schema is lenient, this module is not). */
export interface ListQuery {
  limit?: string;
  /** Several when a client appended the whole nextPage URL unencoded (its own `&nextPageToken=` split off). */
  nextPageToken?: string | string[];
  search?: string;
  sortBy?: string;
  sortOrder?: string;
  folder?: string;
  includeFolders?: string;
  includeItemsFromSubfolders?: string;
}

/** What a resource supports: folders (templates, media) or not (collections, projects). */
export interface ListCapabilities {
  folders: boolean;
}

/** Where the previous page ended: after a folder entry (folders come first) or after an item. */
export interface Position {
  kind: 'folder' | 'item';
  keys: string[];
}

export interface ListFilters {
  /** A substring of the name (case-insensitive), or an exact id; as given. */
  search: string | null;
  folder: string;
  includeFolders: boolean;
  includeSubfolders: boolean;
}

export interface ListRequest extends ListFilters {
  limit: number;
  sortBy: SortBy;
  sortOrder: SortOrder;
  after: Position | null;
}

/** The sort key of an entry: its sort field, then what breaks ties (always ending with the id). */
export function sortKeyOf(sortBy: SortBy, entry: { id: string; nameKey: string; folder: string }): string[] {
  if (sortBy === 'id') return [entry.id];
  if (sortBy === 'name') return [entry.nameKey, entry.id];
  return [entry.folder, entry.nameKey, entry.id];
}

const refuse = (message: string) => new AppError('validation_failed', message);
/** SPEC §4: an empty parameter counts as absent. */
export const given = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** `true` / `false` in any case; empty is absent; anything else is a 400 naming the parameter. */
export function parseBoolean(value: string | undefined, field: string): boolean | undefined {
  const raw = given(value)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw refuse(`${field} must be true or false.`);
}

function parseLimit(value: string | undefined): number | undefined {
  const raw = given(value);
  if (raw === undefined) return undefined;
  const limit = /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw refuse(`limit must be an integer from 1 to ${MAX_LIMIT}.`);
  return limit;
}

function parseSortBy(value: string | undefined): SortBy | undefined {
  const raw = given(value)?.toLowerCase();
  if (raw === undefined) return undefined;
  const field = SORT_FIELDS.find((candidate) => candidate.toLowerCase() === raw);
  if (!field) throw refuse(`sortBy must be one of ${SORT_FIELDS.join(', ')}.`);
  return field;
}

function parseSortOrder(value: string | undefined): SortOrder | undefined {
  const raw = given(value)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw !== 'asc' && raw !== 'desc') throw refuse('sortOrder must be asc or desc.');
  return raw;
}

function parseSearch(value: string | undefined): string | undefined {
  const raw = given(value);
  if (raw !== undefined && raw.length > MAX_SEARCH_LENGTH) throw refuse(`search must be at most ${MAX_SEARCH_LENGTH} characters.`);
  return raw;
}

/**
 * The request a list query describes. With `nextPageToken`, absent parameters take the token's
 * values; an explicit value that differs from the token's is refused (the token's position means
 * nothing under another sort or filter). `limit` may change from page to page.
 *
 * @example parseListQuery({ sortBy: 'NAME', limit: '10' }, { folders: true }).sortBy // 'name'
 */
export function parseListQuery(query: ListQuery, capabilities: ListCapabilities): ListRequest {
  if (!capabilities.folders) {
    for (const field of ['folder', 'includeFolders', 'includeItemsFromSubfolders'] as const) {
      if (given(query[field]) !== undefined) throw refuse(`${field} does not apply to this resource: it has no folders.`);
    }
  }
  const explicit = {
    limit: parseLimit(query.limit),
    sortBy: parseSortBy(query.sortBy),
    sortOrder: parseSortOrder(query.sortOrder),
    search: parseSearch(query.search),
    folder: given(query.folder) === undefined ? undefined : normalizeFolderPath(query.folder!, 'folder'),
    includeFolders: parseBoolean(query.includeFolders, 'includeFolders'),
    includeSubfolders: parseBoolean(query.includeItemsFromSubfolders, 'includeItemsFromSubfolders'),
  };
  if (!capabilities.folders && explicit.sortBy === 'relativePath') throw refuse('sortBy must be name or id: this resource has no folders.');
  const tokenValue = given(Array.isArray(query.nextPageToken) ? query.nextPageToken.at(-1) : query.nextPageToken);
  const token = tokenValue === undefined ? null : decodePageToken(tokenValue);
  if (token) {
    const differs: [string, unknown, unknown][] = [
      ['sortBy', explicit.sortBy, token.sortBy],
      ['sortOrder', explicit.sortOrder, token.sortOrder],
      ['search', explicit.search, token.search],
      ['folder', explicit.folder, token.folder],
      ['includeFolders', explicit.includeFolders, token.includeFolders],
      ['includeItemsFromSubfolders', explicit.includeSubfolders, token.includeSubfolders],
    ];
    for (const [field, mine, theirs] of differs) {
      if (mine !== undefined && mine !== theirs) {
        throw refuse(`${field} differs from the one nextPageToken was made with; start again without nextPageToken to change it.`);
      }
    }
    if (!capabilities.folders && (token.folder !== ROOT || token.includeFolders || token.includeSubfolders || token.sortBy === 'relativePath')) {
      throw refuse('nextPageToken is not a page token of this list.');
    }
    return { ...token, limit: explicit.limit ?? token.limit };
  }
  return {
    limit: explicit.limit ?? DEFAULT_LIMIT,
    sortBy: explicit.sortBy ?? 'name',
    sortOrder: explicit.sortOrder ?? 'asc',
    search: explicit.search ?? null,
    folder: explicit.folder ?? ROOT,
    includeFolders: explicit.includeFolders ?? false,
    // No folder named: the whole environment (GET media/directory is the one-level listing); a
    // folder named: that folder alone unless includeItemsFromSubfolders says otherwise.
    includeSubfolders: explicit.includeSubfolders ?? (capabilities.folders && explicit.folder === undefined),
    after: null,
  };
}

interface TokenBody {
  v: number;
  s: SortBy;
  o: SortOrder;
  q: string | null;
  f: string;
  d: boolean;
  r: boolean;
  l: number;
  k: 'folder' | 'item';
  a: string[];
}

/** The opaque token of the page after `position` (base64url JSON, versioned). */
export function encodePageToken(request: ListRequest, position: Position): string {
  const body: TokenBody = {
    v: TOKEN_VERSION,
    s: request.sortBy,
    o: request.sortOrder,
    q: request.search,
    f: request.folder,
    d: request.includeFolders,
    r: request.includeSubfolders,
    l: request.limit,
    k: position.kind,
    a: position.keys,
  };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** A bare token or a whole nextPage URL (GraFx clients pass either). */
function extractToken(value: string): string {
  if (!value.includes('?')) return value;
  const fromUrl = new URL(value, 'http://token.invalid').searchParams.get('nextPageToken');
  if (!fromUrl) throw refuse('nextPageToken is a URL without a nextPageToken parameter.');
  return fromUrl;
}

function decodePageToken(value: string): ListRequest {
  const malformed = () => refuse('nextPageToken is not a valid page token; use the nextPage link of the previous page.');
  if (value.length > MAX_TOKEN_LENGTH) throw malformed();
  const raw = extractToken(value);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw malformed();
  let body: Partial<TokenBody>;
  try {
    body = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<TokenBody>;
  } catch {
    throw malformed();
  }
  const isString = (x: unknown): x is string => typeof x === 'string';
  const valid =
    body !== null &&
    typeof body === 'object' &&
    body.v === TOKEN_VERSION &&
    SORT_FIELDS.includes(body.s as SortBy) &&
    (body.o === 'asc' || body.o === 'desc') &&
    (body.q === null || (isString(body.q) && body.q.length <= MAX_SEARCH_LENGTH)) &&
    isString(body.f) &&
    typeof body.d === 'boolean' &&
    typeof body.r === 'boolean' &&
    Number.isInteger(body.l) &&
    body.l! >= 1 &&
    body.l! <= MAX_LIMIT &&
    (body.k === 'folder' || body.k === 'item') &&
    Array.isArray(body.a) &&
    body.a.every(isString) &&
    body.a.length === sortKeyOf(body.s!, { id: '', nameKey: '', folder: '' }).length;
  if (!valid) throw malformed();
  let folder: string;
  try {
    folder = normalizeFolderPath(body.f!);
  } catch {
    throw malformed();
  }
  if (folder !== body.f || (body.k === 'folder' && !body.d)) throw malformed();
  return {
    limit: body.l!,
    sortBy: body.s!,
    sortOrder: body.o!,
    search: body.q!,
    folder,
    includeFolders: body.d!,
    includeSubfolders: body.r!,
    after: { kind: body.k!, keys: body.a! },
  };
}

/** One page: folder entries first (when asked for), then items; `next` is null on the last page. */
export interface Page<T, F = never> {
  folders: F[];
  items: T[];
  total: number;
  next: Position | null;
}

/**
 * The `links.nextPage` URL: the issuer, the path as received, the given parameters (empty ones
 * dropped) and the new `nextPageToken`.
 */
export function nextPageUrl(issuer: string, requestUrl: string, token: string): string {
  const cut = requestUrl.indexOf('?');
  const path = cut < 0 ? requestUrl : requestUrl.slice(0, cut);
  const params = new URLSearchParams();
  if (cut >= 0) {
    for (const [key, value] of new URLSearchParams(requestUrl.slice(cut + 1))) {
      if (key !== 'nextPageToken' && value !== '') params.append(key, value);
    }
  }
  params.append('nextPageToken', token);
  return `${issuer.replace(/\/+$/, '')}${path}?${params.toString()}`;
}

/** SPEC §4's list envelope. */
export interface ListEnvelope<T> {
  data: T[];
  pageSize: number;
  links: { nextPage: string };
  total: number;
}

export function listEnvelope<T>(data: T[], page: Page<unknown, unknown>, request: ListRequest, url: { issuer: string; requestUrl: string }): ListEnvelope<T> {
  const nextPage = page.next ? nextPageUrl(url.issuer, url.requestUrl, encodePageToken(request, page.next)) : '';
  return { data, pageSize: data.length, links: { nextPage }, total: page.total };
}
