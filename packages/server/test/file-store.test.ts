// The one storage interface for file bytes, run against both implementations (the data dir and
// the database) on every dialect: same keys, same bytes, same refusals, nothing left behind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DatabaseFileStore } from '../src/infra/file-store/database-file-store.ts';
import { DiskFileStore } from '../src/infra/file-store/disk-file-store.ts';
import { FileMissingError, type FileStore } from '../src/infra/file-store/file-store.ts';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (length: number, seed = 7) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 251));
const read = async (stream: Readable) => Buffer.concat(await stream.toArray());
/** A source that yields `bytes` in `pieces` of the given size (never the whole at once). */
const pieces = (bytes: Buffer, size: number) => Readable.from((function* () {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
})());
/** A source that fails after `after` bytes, as a client disconnecting mid-upload does. */
const failing = (bytes: Buffer, afterBytes: number) =>
  Readable.from((async function* () {
    yield bytes.subarray(0, afterBytes);
    throw new Error('client went away');
  })());

/** Small chunks so a few KiB exercise chunk boundaries. */
const CHUNK = 1024;

for (const dialect of dialects()) {
  for (const kind of ['disk', 'database'] as const) {
    describe(`file store: ${kind} (${dialect})`, () => {
      let h: Harness;
      let store: FileStore;
      let root: string;

      /** What the store holds, temporaries included. */
      const leftovers = async () => {
        if (kind === 'disk') return (await readdir(path.join(root, '.tmp')).catch(() => [] as string[])).length;
        const rows = await h.app.services.database.db.selectFrom('file_objects').select('id').where('file_key', 'is', null).execute();
        const chunks = await h.app.services.database.db.selectFrom('file_chunks').select('object_id').execute();
        const named = await h.app.services.database.db.selectFrom('file_objects').select('id').where('file_key', 'is not', null).execute();
        const orphanChunks = chunks.filter((chunk) => !named.some((row) => row.id === chunk.object_id)).length;
        return rows.length + orphanChunks;
      };

      before(async () => {
        h = await createHarness(dialect);
        root = mkdtempSync(path.join(tmpdir(), 'latchkey-store-'));
        store = kind === 'disk' ? new DiskFileStore(root) : new DatabaseFileStore(h.app.services.database.db, h.clock, path.join(root, 'scratch'), CHUNK);
      });
      after(async () => {
        await h.close();
        rmSync(root, { recursive: true, force: true });
      });

      it('stores a stream under a key and reads it back, with its size and SHA-256', async () => {
        const bytes = bytesOf(5 * CHUNK + 123);
        const stored = await store.put('demo/media/a/original', pieces(bytes, 700), { maxBytes: 1 << 20 });
        assert.deepEqual(stored, { size: bytes.length, sha256: sha256(bytes) });
        assert.deepEqual(await read(await store.get('demo/media/a/original')), bytes);
        assert.equal(await store.exists('demo/media/a/original'), true);
        assert.equal(await store.exists('demo/media/a/other'), false);
      });

      it('streams a file of several MiB piece by piece (default chunk size)', async () => {
        const big = kind === 'disk' ? store : new DatabaseFileStore(h.app.services.database.db, h.clock, path.join(root, 'scratch'));
        const bytes = bytesOf(6 * 1024 * 1024 + 17, 11);
        const stored = await big.put('demo/media/big6/original', pieces(bytes, 64 * 1024), { maxBytes: 8 * 1024 * 1024 });
        assert.deepEqual(stored, { size: bytes.length, sha256: sha256(bytes) });
        assert.deepEqual(await read(await big.get('demo/media/big6/original')), bytes);
        const tail = await read(await big.get('demo/media/big6/original', { start: bytes.length - 300_000, end: bytes.length - 1 }));
        assert.deepEqual(tail, bytes.subarray(bytes.length - 300_000));
        await big.delete('demo/media/big6/original');
      });

      it('reads any byte range, across chunk boundaries, to the last byte', async () => {
        const bytes = bytesOf(4 * CHUNK + 10, 3);
        await store.put('demo/media/r/original', Readable.from([bytes]), { maxBytes: 1 << 20 });
        for (const [start, end] of [[0, 0], [0, CHUNK - 1], [CHUNK - 1, CHUNK], [10, 3 * CHUNK + 5], [4 * CHUNK, 4 * CHUNK + 9], [4 * CHUNK + 9, 4 * CHUNK + 9]] as const) {
          assert.deepEqual(await read(await store.get('demo/media/r/original', { start, end })), bytes.subarray(start, end + 1), `bytes ${start}-${end}`);
        }
      });

      it('stores an empty file', async () => {
        assert.deepEqual(await store.put('demo/fonts/empty', Readable.from([]), { maxBytes: 10 }), { size: 0, sha256: sha256(Buffer.alloc(0)) });
        assert.deepEqual(await read(await store.get('demo/fonts/empty')), Buffer.alloc(0));
      });

      it('replaces what a key held, atomically', async () => {
        await store.put('demo/fonts/x', Readable.from([Buffer.from('first version')]), { maxBytes: 100 });
        await store.put('demo/fonts/x', Readable.from([Buffer.from('second')]), { maxBytes: 100 });
        assert.equal((await read(await store.get('demo/fonts/x'))).toString(), 'second');
      });

      it('refuses a file over the limit with 413 and keeps nothing of it (nor of what the key held)', async () => {
        await store.put('demo/media/big/original', Readable.from([Buffer.from('kept')]), { maxBytes: 100 });
        const error = await store.put('demo/media/big/original', pieces(bytesOf(3 * CHUNK), 512), { maxBytes: 2 * CHUNK }).catch((e: unknown) => e);
        assert.equal((error as { code?: string }).code, 'payload_too_large');
        assert.equal((error as { status?: number }).status, 413);
        assert.equal((await read(await store.get('demo/media/big/original'))).toString(), 'kept', 'the previous file is untouched');
        assert.equal(await leftovers(), 0);
        const exact = await store.put('demo/media/exact/original', Readable.from([bytesOf(2 * CHUNK)]), { maxBytes: 2 * CHUNK });
        assert.equal(exact.size, 2 * CHUNK, 'exactly the limit is accepted');
      });

      it('leaves nothing when the source fails mid-way (an aborted upload)', async () => {
        const error = await store.put('demo/media/aborted/original', failing(bytesOf(3 * CHUNK), 2 * CHUNK + 5), { maxBytes: 1 << 20 }).catch((e: unknown) => e);
        assert.match(String(error), /client went away/);
        assert.equal(await store.exists('demo/media/aborted/original'), false);
        assert.equal(await leftovers(), 0);
      });

      it('says so when a key holds nothing', async () => {
        await assert.rejects(store.get('demo/media/none/original'), FileMissingError);
      });

      it('deletes one key, and every key below a prefix', async () => {
        for (const key of ['demo/media/d1/original', 'demo/media/d1/previews/thumbnail', 'demo/media/d10/original']) {
          await store.put(key, Readable.from([Buffer.from(key)]), { maxBytes: 100 });
        }
        await store.deletePrefix('demo/media/d1/');
        assert.equal(await store.exists('demo/media/d1/original'), false);
        assert.equal(await store.exists('demo/media/d1/previews/thumbnail'), false);
        assert.equal(await store.exists('demo/media/d10/original'), true, 'a sibling sharing the prefix text is kept');
        await store.delete('demo/media/d10/original');
        await store.delete('demo/media/d10/original');
        assert.equal(await store.exists('demo/media/d10/original'), false);
      });

      it('adopts a staged local file (consuming it)', async () => {
        const bytes = bytesOf(3000);
        const local = path.join(store.scratchDir, 'staged.upload');
        await import('node:fs/promises').then((fs) => fs.mkdir(store.scratchDir, { recursive: true }));
        writeFileSync(local, bytes);
        const stored = await store.putFile('demo/media/staged/original', local, { size: bytes.length, sha256: sha256(bytes) });
        assert.deepEqual(stored, { size: bytes.length, sha256: sha256(bytes) });
        assert.deepEqual(await read(await store.get('demo/media/staged/original')), bytes);
        assert.deepEqual((await readdir(store.scratchDir)).filter((name) => name === 'staged.upload'), []);
      });

      it('refuses keys that could leave its root', async () => {
        for (const key of ['../etc/passwd', '/abs', 'a//b', 'a/../b', 'a\\b', '.hidden/x', '']) {
          await assert.rejects(store.put(key, Readable.from([Buffer.from('x')]), { maxBytes: 10 }), /Invalid file store key/, key);
        }
      });

      it('lists the scopes (first key segments) it holds', async () => {
        await store.put('other-env/fonts/f', Readable.from([Buffer.from('x')]), { maxBytes: 10 });
        const scopes = await store.scopes();
        assert.ok(scopes.includes('demo') && scopes.includes('other-env'), scopes.join());
      });

      it('sweeps temporaries a crash abandoned, and only old ones', async () => {
        if (kind === 'disk') {
          const temp = path.join(root, '.tmp');
          writeFileSync(path.join(temp, 'old.part'), 'half a file');
          writeFileSync(path.join(temp, 'new.part'), 'a write in progress');
          const hoursAgo = new Date(Date.now() - 2 * 3600_000);
          utimesSync(path.join(temp, 'old.part'), hoursAgo, hoursAgo);
          assert.equal(await store.sweep(3600_000), 1);
          assert.deepEqual(await readdir(temp), ['new.part']);
          rmSync(path.join(temp, 'new.part'));
        } else {
          const db = h.app.services.database.db;
          await db
            .insertInto('file_objects')
            .values({ id: 'fo_crashed', file_key: null, scope: 'demo', size: 0, sha256: '', chunk_size: CHUNK, chunk_count: 0, created_at: h.clock.now(), completed_at: null })
            .execute();
          await db.insertInto('file_chunks').values({ object_id: 'fo_crashed', seq: 0, data: Buffer.from('half') }).execute();
          assert.equal(await store.sweep(3600_000), 0, 'too young');
          h.clock.advance(2 * 3600_000);
          assert.equal(await store.sweep(3600_000), 1);
          assert.equal(await leftovers(), 0);
        }
      });
    });
  }
}
