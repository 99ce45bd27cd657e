import { AppError } from '../../errors.ts';
import { normalizeFolderPath, validateItemName } from './paths.ts';

/** What a rename and/or move asked for, validated, and the fields its audit row records. */
export interface MoveRequest {
  name: string | undefined;
  folder: string | undefined;
  changes: Record<string, string>;
}

/** Reads `{name?, folderPath?}`: at least one, each validated (no traversal, no control characters). */
export function readMove(location: { name?: string | undefined; folderPath?: string | undefined }, whenNeither: string): MoveRequest {
  if (location.name === undefined && location.folderPath === undefined) throw new AppError('validation_failed', whenNeither);
  const name = location.name === undefined ? undefined : validateItemName(location.name);
  const folder = location.folderPath === undefined ? undefined : normalizeFolderPath(location.folderPath);
  return { name, folder, changes: { ...(name !== undefined ? { name } : {}), ...(folder !== undefined ? { folderPath: folder } : {}) } };
}

interface Movable {
  id: string;
  name: string;
  folder_path: string;
}

/** The repository calls a move needs (templates and media items both have them). */
export interface MovableRepository<Row extends Movable> {
  find(environmentId: string, id: string): Promise<Row | undefined>;
  findByName(environmentId: string, folderPath: string, nameKey: string): Promise<{ id: string } | undefined>;
  update(environmentId: string, id: string, patch: { name: string; name_key: string; folder_path: string; updated_at: number }): Promise<void>;
}

/**
 * Applies a move inside the caller's transaction: the item must exist, and its new name must be
 * free in its new folder (names are unique per folder, case-insensitively). `target` is told the
 * name and folder aimed at, for the message of a clash only the database's unique index catches.
 */
export async function applyMove<Row extends Movable>(
  repository: MovableRepository<Row>,
  environmentId: string,
  id: string,
  move: MoveRequest,
  now: number,
  errors: { notFound(): AppError; duplicate(name: string, folder: string): AppError },
  target: { name: string; folder: string },
): Promise<Row> {
  const current = await repository.find(environmentId, id);
  if (!current) throw errors.notFound();
  target.name = move.name ?? current.name;
  target.folder = move.folder ?? current.folder_path;
  const clash = await repository.findByName(environmentId, target.folder, target.name.toLowerCase());
  if (clash && clash.id !== id) throw errors.duplicate(target.name, target.folder);
  const next = { name: target.name, name_key: target.name.toLowerCase(), folder_path: target.folder, updated_at: now };
  await repository.update(environmentId, id, next);
  return { ...current, ...next };
}
