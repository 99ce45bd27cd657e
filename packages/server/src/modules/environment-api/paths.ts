import { AppError } from '../../errors.ts';

/** SPEC §4: names over 255 characters and folder paths over 1024 are refused. */
export const MAX_NAME_LENGTH = 255;
export const MAX_PATH_LENGTH = 1024;
export const ROOT = '/';

// C0 controls, DEL and C1 controls: invisible in every listing, and a classic log/header trick.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Length in code points, as PostgreSQL's varchar counts (not UTF-16 units). */
const lengthOf = (value: string): number => {
  let count = 0;
  for (const _ of value) count++;
  return count;
};

const refuse = (message: string) => new AppError('validation_failed', message);

/**
 * A file-like name (template, media): one path segment. Refuses `/` and `\` (clients rebuild full
 * paths as `relativePath + "/" + name`), `.` and `..`, control characters, blank names and names
 * over 255 characters.
 *
 * @example validateItemName('Flyer A4', 'name') // 'Flyer A4'
 */
export function validateItemName(value: string, field = 'name'): string {
  validateTitle(value, field);
  if (value.includes('/') || value.includes('\\')) throw refuse(`${field} must not contain "/" or "\\".`);
  if (value === '.' || value === '..') throw refuse(`${field} must not be "." or "..".`);
  return value;
}

/**
 * A display name (collection, project): anything printable up to 255 characters, not blank.
 *
 * @example validateTitle('Summer campaign', 'name') // 'Summer campaign'
 */
export function validateTitle(value: string, field = 'name'): string {
  if (value.trim() === '') throw refuse(`${field} must not be empty.`);
  if (CONTROL.test(value)) throw refuse(`${field} must not contain control characters.`);
  if (lengthOf(value) > MAX_NAME_LENGTH) throw refuse(`${field} must be at most ${MAX_NAME_LENGTH} characters.`);
  return value;
}

/**
 * A folder path in its one stored form: `/`-rooted, forward slashes, no trailing slash (`/` is
 * the root). Forgiving about what is unambiguous — a missing leading slash and a trailing slash
 * are added or removed (`a/b/` → `/a/b`) — and strict about the rest: backslashes, `.` and `..`
 * segments, empty segments (`/a//b`), control characters, segments over 255 characters and
 * paths over 1024 are refused, so no path can climb out of its folder or mean two things.
 *
 * @example normalizeFolderPath('campaigns/2026/') // '/campaigns/2026'
 */
export function normalizeFolderPath(value: string, field = 'folderPath'): string {
  if (value.includes('\\')) throw refuse(`${field} must use forward slashes only ("\\" is not allowed).`);
  if (CONTROL.test(value)) throw refuse(`${field} must not contain control characters.`);
  let path = value.startsWith('/') ? value : `/${value}`;
  if (path.includes('//')) throw refuse(`${field} must not contain empty segments ("//").`);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path === ROOT) return ROOT;
  for (const segment of path.slice(1).split('/')) {
    if (segment === '.' || segment === '..') throw refuse(`${field} must not contain "." or ".." segments.`);
    if (segment.trim() === '') throw refuse(`${field} must not contain blank segments.`);
    if (lengthOf(segment) > MAX_NAME_LENGTH) throw refuse(`${field} segments must be at most ${MAX_NAME_LENGTH} characters.`);
  }
  if (lengthOf(path) > MAX_PATH_LENGTH) throw refuse(`${field} must be at most ${MAX_PATH_LENGTH} characters.`);
  return path;
}

/** The folder above `path` (`/a/b` → `/a`, `/a` → `/`). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? ROOT : path.slice(0, cut);
}

/** The last segment of a folder path (`/a/b` → `b`). */
export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `folder` itself or lies below it. */
export function isWithin(path: string, folder: string): boolean {
  return folder === ROOT || path === folder || path.startsWith(`${folder}/`);
}
