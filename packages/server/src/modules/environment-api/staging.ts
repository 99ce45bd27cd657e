import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBase62 } from '../../infra/encoding.ts';
import { AppError } from '../../errors.ts';
import { Meter } from '../../infra/file-store/meter.ts';
import { cutShort } from './multipart.ts';

/** An upload received in full into a local scratch file, counted and hashed on the way. */
export interface StagedFile {
  path: string;
  size: number;
  /** Hex SHA-256. */
  sha256: string;
}

export interface StageOptions {
  /** The scratch directory (the file store's, so a disk store can adopt the file by renaming it). */
  dir: string;
  maxBytes: number;
  headBytes?: number;
  /** Sees the first bytes before the rest is read; throwing refuses the upload (e.g. 415). */
  onHead?: (head: Buffer) => void;
}

/**
 * Streams an upload into a scratch file under a byte limit, never holding more than a chunk in
 * memory. Whatever goes wrong — the limit, a refused type, a client that disconnects mid-way —
 * the scratch file is removed before the error is passed on, so nothing is left behind.
 *
 * @example const staged = await stageUpload(part.file, { dir: store.scratchDir, maxBytes: config.maxUploadBytes });
 */
export async function stageUpload(source: Readable, options: StageOptions): Promise<StagedFile> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dir, `${randomBase62(20)}.upload`);
  const meter = new Meter({
    maxBytes: options.maxBytes,
    ...(options.headBytes !== undefined ? { headBytes: options.headBytes } : {}),
    ...(options.onHead ? { onHead: options.onHead } : {}),
  });
  const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(source, meter, sink);
  } catch (error) {
    // Stop reading a refused upload (the rest of the request is not wanted), then clean up. The
    // file is opened asynchronously: a refusal in the first bytes can come before the open
    // completes, so wait for the stream to close, or the file would appear after its removal.
    const cause = source.errored;
    source.destroy();
    if (!sink.closed) await once(sink, 'close').catch(() => {});
    await rm(file, { force: true });
    // The upload stream itself failed (a body cut short, a client gone): the client's doing.
    throw cause && !(error instanceof AppError) ? cutShort(cause) : error;
  }
  return { path: file, size: meter.size, sha256: meter.digest() };
}
