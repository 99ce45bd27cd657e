import type { Readable } from 'node:stream';

/**
 * One storage interface for file bytes (media originals and previews, font files), with two
 * implementations chosen by LATCHKEY_FILE_STORE: the data dir (`disk-file-store.ts`) and the
 * database (`database-file-store.ts`, for several nodes without a shared disk).
 *
 * Both keep one promise: a key names either a complete file or nothing. A write that fails, is
 * aborted or goes over its limit leaves no bytes behind; a crash mid-write leaves only an
 * unnamed temporary that `sweep` removes.
 */
export interface FileStore {
  readonly kind: 'disk' | 'database';
  /**
   * A local directory for scratch files (uploads being checked, originals copied out for image
   * work). On disk it is inside the store's own directory, so `putFile` is a rename.
   */
  readonly scratchDir: string;
  /**
   * Streams `source` into the store under `key` (replacing what was there), never holding more
   * than a chunk in memory. Refuses with `payload_too_large` past `maxBytes`, leaving nothing.
   *
   * @example const { size, sha256 } = await store.put('demo/fonts/fs_1', Readable.from(bytes), { maxBytes: 1 << 20 });
   */
  put(key: string, source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredFile>;
  /**
   * Moves a local file (in `scratchDir`) into the store under `key`: the file is consumed.
   * `measured` is what the caller's staging counted and hashed (not read again here).
   *
   * @example await store.putFile('demo/media/med_1/original', staged.path, { size: staged.size, sha256: staged.sha256 });
   */
  putFile(key: string, localPath: string, measured: StoredFile): Promise<StoredFile>;
  /**
   * The bytes under `key` (an inclusive byte range of them if given), as a stream read chunk by
   * chunk. Throws FileMissingError when nothing is stored under `key`.
   *
   * @example (await store.get('demo/media/med_1/original', { start: 0, end: 1023 })).pipe(response);
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Removes the file under `key`, if any. */
  delete(key: string): Promise<void>;
  /** Removes every file whose key starts with `prefix` (which ends with `/`). */
  deletePrefix(prefix: string): Promise<void>;
  /** A path the file can be read from in place, or null (the database store has none). */
  localPath(key: string): string | null;
  /** The first segments of every stored key (environment ids): for the orphan sweep. */
  scopes(): Promise<string[]>;
  /**
   * Removes temporaries (and scratch files) abandoned by a crash more than `maxAgeMs` ago;
   * answers how many went. Writes in progress are younger than any sensible age.
   */
  sweep(maxAgeMs: number): Promise<number>;
}

export interface PutOptions {
  maxBytes: number;
}

export interface StoredFile {
  size: number;
  /** Hex SHA-256 of the bytes. */
  sha256: string;
}

/** Inclusive on both ends, as HTTP's `bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export class FileMissingError extends Error {
  readonly code = 'FILE_MISSING';
  constructor(key: string) {
    super(`No file is stored under ${key}`);
    this.name = 'FileMissingError';
  }
}

// Segments start with a letter or digit, so `.` and `..` can never appear; no backslashes, no
// empty segments. Keys are built by code from ids and environment slugs, never from a request.
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(?:\/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,7}$/;

/** Throws on a key that could mean anything but one file below the store's root. */
export function assertKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`Invalid file store key: ${JSON.stringify(key)}`);
  return key;
}

export function assertPrefix(prefix: string): string {
  if (!prefix.endsWith('/')) throw new Error(`A file store prefix ends with "/": ${JSON.stringify(prefix)}`);
  assertKey(prefix.slice(0, -1));
  return prefix;
}
