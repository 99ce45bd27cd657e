import path from 'node:path';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { DatabaseFileStore } from './database-file-store.ts';
import { DiskFileStore } from './disk-file-store.ts';
import type { FileStore } from './file-store.ts';

export { FileMissingError, type ByteRange, type FileStore, type StoredFile } from './file-store.ts';

/**
 * The store LATCHKEY_FILE_STORE chooses: `<dataDir>/files` (default), or the database with
 * `<dataDir>/tmp` as local scratch space.
 *
 * @example const store = createFileStore(config, db, clock); await store.put(key, stream, { maxBytes: config.maxUploadBytes });
 */
export function createFileStore(config: Pick<Config, 'fileStore' | 'dataDir'>, db: Db, clock: Clock): FileStore {
  if (config.fileStore === 'database') return new DatabaseFileStore(db, clock, path.join(config.dataDir, 'tmp'));
  return new DiskFileStore(path.join(config.dataDir, 'files'));
}
