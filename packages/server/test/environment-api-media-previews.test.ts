// Media previews (SPEC §4): generated in the background after an upload, 202 while generating,
// then the image; every type in both URL forms; vectors and PDFs; regenerated when missing.
// Driven without sleeps: the preview queue is paused to observe 202 and awaited with idle().
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { WorkLimiter } from '../src/modules/media/image-work.ts';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { jpeg, multipart, pdf, png, svg, tiff } from './fixtures/media/builders.ts';

const PREFIX = '/grafx/api/v1/environment/demo';

for (const dialect of dialects()) {
  for (const fileStore of ['disk', 'database'] as const) {
    describe(`Environment API media previews: ${fileStore} store (${dialect})`, () => {
      let h: Harness;
      let token: string;
      const previews = () => h.app.services.content.media.previews;
      const create = async (bytes: Buffer, name: string) => {
        const { body, contentType } = multipart([{ fileName: name, bytes }]);
        const reply = await h.api('demo', 'POST', `media?folderPath=/previews`, { token, body, headers: { 'content-type': contentType } });
        assert.equal(reply.status, 201, reply.raw);
        return reply.body as { id: string };
      };
      const get = (path: string, headers: Record<string, string> = {}, app = h.app) =>
        app.inject({ method: 'GET', url: `${PREFIX}/${path}`, headers: { authorization: `Bearer ${token}`, ...headers } });
      const size = async (bytes: Buffer) => {
        const { width, height, format } = await sharp(bytes).metadata();
        return { width, height, format };
      };

      before(async () => {
        h = await createHarness(dialect, { env: { LATCHKEY_FILE_STORE: fileStore } });
        await h.env('demo');
        token = await h.apiToken('demo');
      });
      after(async () => {
        previews().resume();
        await previews().idle();
        await h.close();
      });

      it('answers 202 with no body while the previews are generated, then the images (never enlarged)', async () => {
        previews().pause();
        const { id } = await create(await jpeg({ width: 1600, height: 1200 }), 'photo.jpg');
        for (const path of [`media/${id}/preview/thumbnail`, `media/${id}/preview?previewType=medium`]) {
          const pending = await get(path);
          assert.equal(pending.statusCode, 202, path);
          assert.equal(pending.body, '');
          assert.equal(pending.headers['cache-control'], 'no-store');
          assert.equal(pending.headers['retry-after'], '1');
        }
        previews().resume();
        await previews().idle();
        const expected = { thumbnail: [300, 225], medium: [1000, 750], highest: [1600, 1200] } as const;
        for (const [type, [width, height]] of Object.entries(expected)) {
          const reply = await get(`media/${id}/preview/${type}`);
          assert.equal(reply.statusCode, 200, type);
          assert.equal(reply.headers['content-type'], 'image/jpeg');
          assert.deepEqual(await size(reply.rawPayload), { width, height, format: 'jpeg' }, type);
        }
        const x4096 = await get(`media/${id}/preview/x4096`);
        assert.equal(x4096.statusCode, 202, 'x4096 is generated on first request');
        await previews().idle();
        assert.deepEqual(await size((await get(`media/${id}/preview/x4096`)).rawPayload), { width: 1600, height: 1200, format: 'jpeg' });
      });

      it('accepts every preview type in any case, in the path or as previewType; an unknown type is 400', async () => {
        const { id } = await create(await jpeg({ width: 50, height: 40 }), 'cases.jpg');
        await previews().idle();
        for (const type of ['THUMBNAIL', 'Medium', 'highest', 'FULLORVECTOR', 'highestOrVector', 'X4096']) {
          await get(`media/${id}/preview/${type}`);
          await previews().idle();
          assert.equal((await get(`media/${id}/preview/${type}`)).statusCode, 200, type);
          assert.equal((await get(`media/${id}/preview?previewType=${type}`)).statusCode, 200, type);
        }
        for (const path of [`media/${id}/preview/huge`, `media/${id}/preview?previewType=huge`, `media/${id}/preview`]) {
          const reply = await get(path);
          assert.equal(reply.statusCode, 400, path);
          assert.match(JSON.parse(reply.body).detail, /^previewType must be one of thumbnail, medium, highest, fullOrVector, highestOrVector, x4096 \(any case\)/);
        }
      });

      it('keeps transparency: an image with alpha gets PNG previews', async () => {
        const { id } = await create(await png({ width: 800, height: 400, alpha: true }), 'alpha.png');
        await previews().idle();
        const reply = await get(`media/${id}/preview/thumbnail`);
        assert.equal(reply.headers['content-type'], 'image/png');
        const meta = await sharp(reply.rawPayload).metadata();
        assert.deepEqual([meta.width, meta.height, meta.hasAlpha], [300, 150, true]);
      });

      it('renders an SVG to PNG at each exact size; fullOrVector and highestOrVector answer the SVG itself, sandboxed', async () => {
        const bytes = svg(24, 12);
        const { id } = await create(bytes, 'icon.svg');
        await previews().idle();
        for (const [type, width, height] of [['thumbnail', 300, 150], ['medium', 1000, 500], ['highest', 2500, 1250]] as const) {
          const reply = await get(`media/${id}/preview/${type}`);
          assert.equal(reply.headers['content-type'], 'image/png');
          assert.deepEqual(await size(reply.rawPayload), { width, height, format: 'png' }, `${type}: a vector is rendered at the size asked for`);
        }
        for (const type of ['fullOrVector', 'highestOrVector']) {
          const reply = await get(`media/${id}/preview/${type}`);
          assert.equal(reply.statusCode, 200);
          assert.equal(reply.body, bytes.toString());
          assert.equal(reply.headers['content-type'], 'image/svg+xml');
          assert.equal(reply.headers['content-security-policy'], 'sandbox');
          assert.match(String(reply.headers['content-disposition']), /^attachment; filename="icon.svg"/);
        }
      });

      it('answers a placeholder page for the raster previews of a PDF, and the PDF itself for the vector ones', async () => {
        const bytes = pdf();
        const { id } = await create(bytes, 'brochure.pdf');
        for (const [type, longEdge] of [['thumbnail', 300], ['medium', 1000], ['highest', 2500], ['x4096', 4096]] as const) {
          const reply = await get(`media/${id}/preview/${type}`);
          assert.equal(reply.statusCode, 200, `${type}: no waiting, the placeholder is ready at once`);
          assert.equal(reply.headers['content-type'], 'image/png');
          const { width, height } = await size(reply.rawPayload);
          assert.equal(height, longEdge, type);
          assert.ok(width! < height!, 'a portrait page');
        }
        for (const type of ['fullOrVector', 'highestOrVector']) {
          const reply = await get(`media/${id}/preview/${type}`);
          assert.equal(reply.headers['content-type'], 'application/pdf');
          assert.deepEqual(reply.rawPayload, bytes);
        }
      });

      it('answers fullOrVector of a JPEG with the original, of a TIFF with a full-size JPEG; highestOrVector is highest', async () => {
        const photo = await jpeg({ width: 2600, height: 100 });
        const { id: jpegId } = await create(photo, 'wide.jpg');
        await previews().idle();
        assert.deepEqual((await get(`media/${jpegId}/preview/fullOrVector`)).rawPayload, photo);
        assert.deepEqual(await size((await get(`media/${jpegId}/preview/highestOrVector`)).rawPayload), { width: 2500, height: 96, format: 'jpeg' });

        const { id: tiffId } = await create(await tiff({ width: 90, height: 60 }), 'scan.tif');
        assert.equal((await get(`media/${tiffId}/preview/fullOrVector`)).statusCode, 202);
        await previews().idle();
        const full = await get(`media/${tiffId}/preview/fullOrVector`);
        assert.equal(full.headers['content-type'], 'image/jpeg');
        assert.deepEqual(await size(full.rawPayload), { width: 90, height: 60, format: 'jpeg' });
      });

      it('gives previews a strong ETag and a day of private caching, and answers 304', async () => {
        const { id } = await create(await jpeg(), 'cached.jpg');
        await previews().idle();
        const first = await get(`media/${id}/preview/medium`);
        assert.match(String(first.headers.etag), /^"[A-Za-z0-9_-]{43}"$/);
        assert.equal(first.headers['cache-control'], 'private, max-age=86400');
        const again = await get(`media/${id}/preview/medium`, { 'if-none-match': String(first.headers.etag) });
        assert.equal(again.statusCode, 304);
      });

      it('generates a preview again when its bytes are gone (a wiped data dir)', async () => {
        const { id } = await create(await jpeg({ width: 400, height: 400 }), 'wiped.jpg');
        await previews().idle();
        await h.app.services.content.files.delete(`demo/media/${id}/previews/thumbnail`);
        assert.equal((await get(`media/${id}/preview/thumbnail`)).statusCode, 202);
        await previews().idle();
        const reply = await get(`media/${id}/preview/thumbnail`);
        assert.equal(reply.statusCode, 200);
        assert.deepEqual(await size(reply.rawPayload), { width: 300, height: 300, format: 'jpeg' });
      });

      it('generates previews on whichever node is asked (after a restart, or when the uploading node is busy)', async () => {
        previews().pause();
        const { id } = await create(await jpeg({ width: 500, height: 250 }), 'elsewhere.jpg');
        const second = await h.secondNode();
        assert.equal((await get(`media/${id}/preview/thumbnail`, {}, second)).statusCode, 202);
        await second.services.content.media.previews.idle();
        const reply = await get(`media/${id}/preview/thumbnail`, {}, second);
        assert.equal(reply.statusCode, 200);
        assert.equal((await get(`media/${id}/preview/thumbnail`)).statusCode, 200, 'and the first node serves it too');
        previews().resume();
        await previews().idle();
      });

      it('answers 415 for a preview that cannot be rendered, rather than 202 for ever', async () => {
        const { id } = await create(await jpeg(), 'unrenderable.jpg');
        await previews().idle();
        await h.app.services.database.db
          .updateTable('media_previews')
          .set({ status: 'failed', file_key: null, failure: 'VipsJpeg: out of memory' })
          .where('media_id', '=', id)
          .where('rendition', '=', 'medium')
          .execute();
        const reply = await get(`media/${id}/preview/medium`);
        assert.equal(reply.statusCode, 415);
        const problem = JSON.parse(reply.body);
        assert.equal(problem.detail, 'A medium preview of this JPEG file cannot be generated; download the original instead.');
        assert.doesNotMatch(reply.body, /VipsJpeg/, 'the private reason is not sent');
      });
    });
  }
}

describe('image work limiter', () => {
  it('runs one job at a time, urgent ones (uploads being checked) before queued previews', async () => {
    const limiter = new WorkLimiter(1);
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const gates: Array<() => void> = [];
    const job = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(name);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    };
    let finished = false;
    void Promise.all([limiter.run(job('preview 1')), limiter.run(job('preview 2')), limiter.run(job('upload'), { urgent: true })]).then(() => (finished = true));
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      gates.shift()?.();
    }
    assert.equal(most, 1);
    assert.deepEqual(order, ['preview 1', 'upload', 'preview 2']);
  });
});
