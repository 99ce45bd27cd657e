// What a hostile or broken upload can send, and what it gets: type sniffed from the bytes (415),
// damaged files (400), the size limit (413), odd names and paths (400), malformed multipart
// bodies, a client that disconnects mid-upload. Whatever happens, nothing is left behind.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { STATUS_CODES } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, type ApiReply, type Harness } from './helpers/harness.ts';
import { exe, gif, jpeg, multipart, pdf, photo, png, storedBytes, svg } from './fixtures/media/builders.ts';

const LIMIT = 64 * 1024;
const ACCEPTED = "Media must be JPEG, PNG, GIF, WebP, TIFF, AVIF, SVG or PDF; the type is read from the file's bytes, not from its name.";

function expectProblem(reply: ApiReply, status: number, detail: string | RegExp) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.equal(reply.body.title, STATUS_CODES[status]);
  if (typeof detail === 'string') assert.equal(reply.body.detail, detail);
  else assert.match(reply.body.detail, detail);
}

for (const dialect of dialects()) {
  for (const fileStore of ['disk', 'database'] as const) {
    describe(`Environment API media, hostile uploads: ${fileStore} store (${dialect})`, () => {
      let h: Harness;
      let token: string;
      let baseline: Awaited<ReturnType<typeof storedBytes>>;
      const upload = (bytes: Buffer, fileName: string, query = '') => {
        const { body, contentType } = multipart([{ fileName, bytes }]);
        return h.api('demo', 'POST', `media${query}`, { token, body, headers: { 'content-type': contentType } });
      };
      /** Nothing more is stored than before the test's refusals: no bytes, no scratch file, no row. */
      const expectNothingLeft = async () => {
        assert.deepEqual(await storedBytes(h), baseline);
        const rows = await h.app.services.database.db.selectFrom('media').select('name').execute();
        assert.deepEqual(rows.map((row) => row.name), ['kept.png']);
      };

      before(async () => {
        h = await createHarness(dialect, { env: { LATCHKEY_FILE_STORE: fileStore, LATCHKEY_MAX_UPLOAD_BYTES: String(LIMIT) } });
        await h.env('demo');
        token = await h.apiToken('demo');
        assert.equal((await upload(await png(), 'kept.png')).status, 201);
        await h.app.services.content.media.previews.idle();
        baseline = await storedBytes(h);
      });
      after(() => h.close());

      it('stores what the bytes are, whatever the name says: a PNG named .pdf is a PNG', async () => {
        const reply = await upload(await png({ width: 10, height: 10 }), 'report.pdf', '?folderPath=/sniffed');
        assert.equal(reply.status, 201, reply.raw);
        assert.deepEqual([reply.body.name, reply.body.extension, reply.body.metaData.mimeType], ['report.pdf', 'png', 'image/png']);
        await h.api('demo', 'DELETE', `media/${reply.body.id}`, { token });
        await h.app.services.content.media.previews.idle();
      });

      for (const [what, bytes, name, why] of [
        ['an executable named .jpg', exe(), 'holiday.jpg', 'The file is an executable program.'],
        ['plain text', Buffer.from('just some text, not an image'), 'notes.png', 'The file is not of an accepted type.'],
        ['HTML', Buffer.from('<!doctype html><html><script>alert(1)</script></html>'), 'page.svg', 'The file is not of an accepted type.'],
        ['a BMP', Buffer.concat([Buffer.from('BM'), Buffer.alloc(100)]), 'old.bmp', 'BMP images are not accepted: convert them to PNG.'],
        ['a HEIC photo', Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheicmif1heic'), Buffer.alloc(64)]), 'iphone.heic', 'HEIC/HEIF and other ISO media files are not accepted (only AVIF is).'],
        ['a gzip-compressed SVG', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), 'icon.svgz', 'Compressed files (gzip, including .svgz) are not accepted: upload the plain SVG.'],
        [
          'an SVG declaring entities',
          Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>'),
          'laughs.svg',
          'SVG files that declare entities (a DOCTYPE with an internal subset) are not accepted.',
        ],
        ['an empty file', Buffer.alloc(0), 'empty.png', 'The file is empty.'],
      ] as const) {
        it(`refuses ${what} with 415, naming what is accepted`, async () => {
          const reply = await upload(bytes, name);
          expectProblem(reply, 415, `${why} ${ACCEPTED}`);
          await expectNothingLeft();
        });
      }

      it('refuses truncated and corrupt images with a clear 400, never a crash', async () => {
        const photoBytes = await jpeg({ width: 200, height: 200 });
        const pngBytes = await png({ width: 200, height: 200 });
        const corruptPng = Buffer.from(pngBytes);
        corruptPng.fill(0x5a, 60, pngBytes.length - 20); // Keep the signature and IHDR, wreck the pixel data.
        const cases = [
          ['a truncated JPEG', photoBytes.subarray(0, Math.floor(photoBytes.length / 2)), 'half.jpg', 'The file looks like a JPEG image but cannot be read: it is damaged or truncated.'],
          ['a JPEG that is only a header', photoBytes.subarray(0, 20), 'header.jpg', 'The file looks like a JPEG image but cannot be read: it is damaged or truncated.'],
          ['a PNG with wrecked pixel data', corruptPng, 'wrecked.png', 'The file looks like a PNG image but cannot be read: it is damaged or truncated.'],
          ['a GIF that stops after its header', (await gif()).subarray(0, 13), 'stub.gif', 'The file looks like a GIF image but cannot be read: it is damaged or truncated.'],
          ['a malformed SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect'), 'broken.svg', 'The file looks like an SVG image but cannot be read: it is damaged or truncated.'],
          ['a truncated PDF', pdf().subarray(0, 200), 'cut.pdf', 'The file looks like a PDF document but cannot be read: it is damaged or truncated.'],
        ] as const;
        for (const [what, bytes, name, detail] of cases) {
          const reply = await upload(bytes, name);
          assert.equal(reply.status, 400, `${what}: ${reply.raw}`);
          assert.equal(reply.body.detail, detail, what);
        }
        await expectNothingLeft();
        const health = await h.api('demo', 'GET', 'media', { token });
        assert.equal(health.status, 200, 'the server is still answering');
      });

      it('refuses an upload over LATCHKEY_MAX_UPLOAD_BYTES with 413, whether its length is declared or only counted', async () => {
        const counted = await photo(400, 400); // Larger than the limit, within the multipart allowance: read and counted.
        assert.ok(counted.length > LIMIT && counted.length < 2 * LIMIT, String(counted.length));
        const reply = await upload(counted, 'big.jpg');
        expectProblem(reply, 413, 'The file is larger than the limit of 64 KiB (65536 bytes).');
        assert.equal(reply.headers.connection, 'close', 'the rest of the body is not read');
        const declared = await upload(Buffer.alloc(4 * LIMIT, 0xff), 'huge.jpg');
        expectProblem(declared, 413, 'The file is larger than the limit of 64 KiB (65536 bytes).');
        await expectNothingLeft();
      });

      it('refuses traversal and odd names and folders with 400', async () => {
        const image = await png();
        for (const [query, detail] of [
          ['?name=..%2F..%2Fetc%2Fpasswd', 'name must not contain "/" or "\\".'],
          ['?name=..', 'name must not be "." or "..".'],
          ['?name=a%5Cb.png', 'name must not contain "/" or "\\".'],
          ['?name=bell%07.png', 'name must not contain control characters.'],
          ['?name=%20%20', 'name must not be empty.'],
          [`?name=${'x'.repeat(256)}`, 'name must be at most 255 characters.'],
          ['?name=ok.png&folderPath=..%2F..%2Fetc', 'folderPath must not contain "." or ".." segments.'],
          ['?name=ok.png&folderPath=a%5Cb', 'folderPath must use forward slashes only ("\\" is not allowed).'],
          ['?name=ok.png&folderPath=%2Fa%2F%2Fb', 'folderPath must not contain empty segments ("//").'],
          [`?name=ok.png&folderPath=${`/${'a'.repeat(200)}`.repeat(6)}`, 'folderPath must be at most 1024 characters.'],
        ] as const) {
          expectProblem(await upload(image, 'fine.png', query), 400, detail);
        }
        expectProblem(await upload(image, 'tab\there.png'), 400, 'name must not contain control characters.');
        await expectNothingLeft();
      });

      it('refuses bodies that are not a multipart upload of one file in "file"', async () => {
        const image = await png();
        expectProblem(
          await h.api('demo', 'POST', 'media?name=x.png', { token, body: image, headers: { 'content-type': 'image/png' } }),
          415,
          'Content-Type image/png is not supported here: send the file as multipart/form-data, in the field "file".',
        );
        expectProblem(
          await h.api('demo', 'POST', 'media?name=x.png', { token, body: { file: 'x' } }),
          415,
          'Send the file as multipart/form-data, in the field "file".',
        );
        const wrongField = multipart([{ field: 'upload', fileName: 'x.png', bytes: image }]);
        expectProblem(
          await h.api('demo', 'POST', 'media?name=x.png', { token, body: wrongField.body, headers: { 'content-type': wrongField.contentType } }),
          400,
          'The file must be sent in the multipart field "file", not "upload".',
        );
        const fieldsOnly = multipart([{ field: 'name', value: 'x.png' }]);
        expectProblem(
          await h.api('demo', 'POST', 'media?name=x.png', { token, body: fieldsOnly.body, headers: { 'content-type': fieldsOnly.contentType } }),
          400,
          'The multipart body holds no file: send it in the field "file".',
        );
        const garbage = await h.api('demo', 'POST', 'media?name=x.png', {
          token,
          body: Buffer.from('--other\r\nthis is not what the boundary says\r\n'),
          headers: { 'content-type': 'multipart/form-data; boundary=expected' },
        });
        assert.equal(garbage.status, 400, garbage.raw);
        const unterminated = multipart([{ fileName: 'x.png', bytes: image }]);
        const cut = await h.api('demo', 'POST', 'media?name=cut.png', {
          token,
          body: unterminated.body.subarray(0, unterminated.body.length - 40),
          headers: { 'content-type': unterminated.contentType },
        });
        assert.ok(cut.status === 400, `a body cut short is the client's mistake: ${cut.status} ${cut.raw}`);
        await expectNothingLeft();
      });

      it('leaves no bytes and no record when the client disconnects mid-upload', async () => {
        await h.app.fastify.listen({ port: 0, host: '127.0.0.1' });
        const { port } = h.app.fastify.server.address() as AddressInfo;
        const media = h.app.services.content.media;
        const image = await photo(160, 120);
        const { body, contentType } = multipart([{ fileName: 'aborted.jpg', bytes: Buffer.concat([image, Buffer.alloc(30_000)]) }]);
        assert.ok(body.length < LIMIT);
        const started = once(media.uploads, 'started');
        const settled = once(media.uploads, 'settled');
        const socket = net.connect(port, '127.0.0.1');
        await once(socket, 'connect');
        socket.write(
          `POST /grafx/api/v1/environment/demo/media?name=aborted.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        socket.write(body.subarray(0, 20_000));
        await started; // The server is streaming the file to scratch.
        socket.destroy();
        const [outcome] = (await settled) as [{ outcome: string }];
        assert.equal(outcome.outcome, 'refused');
        await expectNothingLeft();
      });
    });
  }
}
