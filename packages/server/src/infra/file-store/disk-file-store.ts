import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBase62 } from '../encoding.ts';
import { assertKey, assertPrefix, FileMissingError, type ByteRange, type FileStore, type PutOptions, type StoredFile } from './file-store.ts';
import { Meter } from './meter.ts';
import { sweepDirectory } from './sweep-directory.ts';

const TEMP_DIR = '.tmp';

/**
 * Files under `<dataDir>/files/<key>`. Every write goes to a temporary file in
 * `<dataDir>/files/.tmp` (the same file system, so the final `rename` is atomic), is fsynced, and
 * only then renamed to its key, so a crash never leaves half a file under a real name; the
 * directory is fsynced after the rename so the name survives a power cut too. A write that fails
 * removes its temporary; one a crash interrupted is removed by `sweep`. All temporaries live in
 * one directory (rather than beside their targets) so that sweep is one `readdir`.
 */
export class DiskFileStore implements FileStore {
  readonly kind = 'disk';
  readonly root: string;
  readonly scratchDir: string;

  constructor(filesDir: string) {
    this.root = path.resolve(filesDir);
    this.scratchDir = path.join(this.root, TEMP_DIR);
  }

  async put(key: string, source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredFile> {
    const target = this.pathOf(key);
    const temp = await this.tempPath();
    const meter = new Meter({ maxBytes: options.maxBytes });
    const sink = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    try {
      await pipeline(source, meter, sink);
      await fsync(temp);
      await this.publish(temp, target);
    } catch (error) {
      // The file is opened asynchronously: wait for the stream to close before removing it, or a
      // failure in the first bytes could leave it to appear after its removal.
      if (!sink.closed) await once(sink, 'close').catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
    return { size: meter.size, sha256: meter.digest() };
  }

  async putFile(key: string, localPath: string, measured: StoredFile): Promise<StoredFile> {
    const target = this.pathOf(key);
    try {
      await fsync(localPath);
      try {
        await this.publish(localPath, target);
      } catch (error) {
        // Scratch on another file system (EXDEV): copy to a temporary of ours, then rename.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        const temp = await this.tempPath();
        try {
          await copyFile(localPath, temp);
          await this.publish(temp, target);
        } catch (copyError) {
          await rm(temp, { force: true });
          throw copyError;
        }
      }
    } finally {
      await rm(localPath, { force: true });
    }
    return measured;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    // Checked first so a missing file is an error here, not a stream error mid-answer.
    if (!(await this.exists(key))) throw new FileMissingError(key);
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertPrefix(prefix);
    // A preview being written into the folder meanwhile makes a recursive removal fail with
    // ENOTEMPTY: try again (the preview job itself removes what it wrote for a deleted item).
    await rm(path.join(this.root, prefix.slice(0, -1)), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }

  localPath(key: string): string {
    return this.pathOf(key);
  }

  async scopes(): Promise<string[]> {
    try {
      const entries = await readdir(this.root, { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory() && entry.name !== TEMP_DIR).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Temporaries older than `maxAgeMs`, by their modification time (a wall-clock time). */
  sweep(maxAgeMs: number): Promise<number> {
    return sweepDirectory(this.scratchDir, Date.now() - maxAgeMs);
  }

  private pathOf(key: string): string {
    return path.join(this.root, assertKey(key));
  }

  private async tempPath(): Promise<string> {
    await mkdir(this.scratchDir, { recursive: true, mode: 0o700 });
    return path.join(this.scratchDir, `${randomBase62(20)}.part`);
  }

  private async publish(temp: string, target: string): Promise<void> {
    const directory = path.dirname(target);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await rename(temp, target);
    await fsync(directory);
  }
}

/**
 * Flushes a file's (or a directory's) data to the disk. Through a descriptor of its own: on
 * Linux fsync covers the inode, whichever descriptor wrote (and a FileHandle that had a stream
 * on it cannot always be closed promptly).
 */
async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

