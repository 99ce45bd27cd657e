import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { sql, type SqlBool } from 'kysely';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../clock.ts';
import { randomBase62 } from '../encoding.ts';
import { assertKey, assertPrefix, FileMissingError, type ByteRange, type FileStore, type PutOptions, type StoredFile } from './file-store.ts';
import { Meter } from './meter.ts';
import { sweepDirectory } from './sweep-directory.ts';

/** 256 KiB: small enough to keep memory flat, large enough that a 100 MiB file is 400 rows. */
export const CHUNK_SIZE = 256 * 1024;

/** `%`, `_` and `\` escaped for LIKE … ESCAPE '\'. */
const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Files as rows (LATCHKEY_FILE_STORE=database), for several nodes without a shared disk: a
 * `file_objects` row per file and its bytes in fixed-size `file_chunks`. A write inserts chunks
 * one statement at a time under a fresh object id, outside any transaction (a long upload must
 * never hold SQLite's write lock, which the token endpoint's writes need too), and then names the
 * object in one short transaction that also drops whatever had that key: the database's
 * rename. A failed write deletes its chunks; one a crash interrupted stays unnamed and is
 * removed by `sweep`. Reads fetch one chunk per step, as the consumer asks for more.
 */
export class DatabaseFileStore implements FileStore {
  readonly kind = 'database';

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Local scratch space (uploads being checked, originals copied out for image work). */
    readonly scratchDir: string,
    private readonly chunkSize = CHUNK_SIZE,
  ) {}

  async put(key: string, source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredFile> {
    const meter = new Meter({ maxBytes: options.maxBytes });
    let stored: StoredFile | null = null;
    await this.write(key, async (writeChunk) => {
      // Chunks are exactly chunkSize bytes (the last one excepted), so a range read finds its
      // first chunk by division. They are assembled in one buffer, reused for every chunk (the
      // drivers copy a parameter before the insert resolves): a large file makes no garbage here.
      const assembly = Buffer.allocUnsafe(this.chunkSize);
      let filled = 0;
      await pipeline(source, meter, async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          let offset = 0;
          while (offset < chunk.length) {
            const copied = chunk.copy(assembly, filled, offset, Math.min(chunk.length, offset + this.chunkSize - filled));
            filled += copied;
            offset += copied;
            if (filled === this.chunkSize) {
              await writeChunk(assembly);
              filled = 0;
            }
          }
        }
        if (filled > 0) await writeChunk(assembly.subarray(0, filled));
      });
      stored = { size: meter.size, sha256: meter.digest() };
      return stored;
    });
    return stored!;
  }

  /** Reads the file straight into the chunk buffer (no stream, no copies), then removes it. */
  async putFile(key: string, localPath: string, measured: StoredFile): Promise<StoredFile> {
    try {
      await this.write(key, async (writeChunk) => {
        const handle = await open(localPath, 'r');
        try {
          const chunk = Buffer.allocUnsafe(this.chunkSize);
          for (;;) {
            let filled = 0;
            while (filled < this.chunkSize) {
              const { bytesRead } = await handle.read(chunk, filled, this.chunkSize - filled, null);
              if (bytesRead === 0) break;
              filled += bytesRead;
            }
            if (filled > 0) await writeChunk(filled === this.chunkSize ? chunk : chunk.subarray(0, filled));
            if (filled < this.chunkSize) break;
          }
        } finally {
          await handle.close();
        }
        return measured;
      });
      return measured;
    } finally {
      await rm(localPath, { force: true });
    }
  }

  /**
   * Writes chunks under a fresh, unnamed object, then names it `key` in one short transaction
   * that also drops what had that key; on any failure the object and its chunks go.
   */
  private async write(key: string, fill: (writeChunk: (data: Buffer) => Promise<void>) => Promise<StoredFile>): Promise<void> {
    assertKey(key);
    const objectId = `fo_${randomBase62(22)}`;
    await this.db
      .insertInto('file_objects')
      .values({
        id: objectId,
        file_key: null,
        scope: key.split('/')[0]!,
        size: 0,
        sha256: '',
        chunk_size: this.chunkSize,
        chunk_count: 0,
        created_at: this.clock.now(),
        completed_at: null,
      })
      .execute();
    let seq = 0;
    try {
      const stored = await fill(async (data) => {
        await this.db.insertInto('file_chunks').values({ object_id: objectId, seq, data }).execute();
        seq++;
      });
      await this.db.transaction().execute(async (trx) => {
        const previous = await trx.selectFrom('file_objects').select('id').where('file_key', '=', key).execute();
        for (const { id } of previous) {
          await trx.deleteFrom('file_chunks').where('object_id', '=', id).execute();
          await trx.deleteFrom('file_objects').where('id', '=', id).execute();
        }
        await trx
          .updateTable('file_objects')
          .set({ file_key: key, size: stored.size, sha256: stored.sha256, chunk_count: seq, completed_at: this.clock.now() })
          .where('id', '=', objectId)
          .execute();
      });
    } catch (error) {
      await this.removeObject(objectId).catch(() => {});
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const object = await this.db
      .selectFrom('file_objects')
      .select(['id', 'size', 'chunk_size', 'chunk_count'])
      .where('file_key', '=', assertKey(key))
      .where('completed_at', 'is not', null)
      .executeTakeFirst();
    if (!object) throw new FileMissingError(key);
    const size = Number(object.size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    const db = this.db;
    async function* chunks(): AsyncGenerator<Buffer> {
      if (end < start) return;
      const first = Math.floor(start / object!.chunk_size);
      const last = Math.floor(end / object!.chunk_size);
      for (let seq = first; seq <= last; seq++) {
        const row = await db.selectFrom('file_chunks').select('data').where('object_id', '=', object!.id).where('seq', '=', seq).executeTakeFirst();
        if (!row) throw new FileMissingError(key);
        const base = seq * object!.chunk_size;
        const from = Math.max(start - base, 0);
        const to = Math.min(end - base + 1, row.data.length);
        yield from === 0 && to === row.data.length ? row.data : row.data.subarray(from, to);
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async exists(key: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('file_objects')
      .select('id')
      .where('file_key', '=', assertKey(key))
      .where('completed_at', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async delete(key: string): Promise<void> {
    const rows = await this.db.selectFrom('file_objects').select('id').where('file_key', '=', assertKey(key)).execute();
    for (const { id } of rows) await this.removeObject(id);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const pattern = `${escapeLike(assertPrefix(prefix))}%`;
    const rows = await this.db
      .selectFrom('file_objects')
      .select('id')
      .where(sql<SqlBool>`file_key like ${pattern} escape '\\'`)
      .execute();
    for (const { id } of rows) await this.removeObject(id);
  }

  localPath(): null {
    return null;
  }

  async scopes(): Promise<string[]> {
    const rows = await this.db.selectFrom('file_objects').select('scope').distinct().execute();
    return rows.map((row) => row.scope);
  }

  async sweep(maxAgeMs: number): Promise<number> {
    const rows = await this.db
      .selectFrom('file_objects')
      .select('id')
      .where('completed_at', 'is', null)
      .where('created_at', '<', this.clock.now() - maxAgeMs)
      .execute();
    for (const { id } of rows) await this.removeObject(id);
    return rows.length + (await sweepDirectory(this.scratchDir, Date.now() - maxAgeMs));
  }

  /** One transaction, so no object is ever left with half its chunks. */
  private async removeObject(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('file_chunks').where('object_id', '=', id).execute();
      await trx.deleteFrom('file_objects').where('id', '=', id).execute();
    });
  }
}
