// Media in the Environment API (SPEC §4): upload, get, download, lists, rename/move, delete,
// scopes, tenant isolation and the GraFx media connector's calls, against both file stores on
// every dialect.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, ISSUER, START, type ApiReply, type Harness } from './helpers/harness.ts';
import { avif, gif, jpeg, multipart, pdf, png, storedBytes, svg, tiff, webp } from './fixtures/media/builders.ts';

const BASE = `${ISSUER}/grafx/api/v1/environment`;
const at = (ms: number) => new Date(ms).toISOString();
const etagOf = (bytes: Buffer) => `"${createHash('sha256').update(bytes).digest('base64url')}"`;

function expectProblem(reply: ApiReply, status: number, detail: string | RegExp) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.equal(reply.body.title, STATUS_CODES[status]);
  assert.equal(reply.body.status, status);
  if (typeof detail === 'string') assert.equal(reply.body.detail, detail);
  else assert.match(reply.body.detail, detail);
}

for (const dialect of dialects()) {
  for (const fileStore of ['disk', 'database'] as const) {
    describe(`Environment API media: ${fileStore} store (${dialect})`, () => {
      let h: Harness;
      let token: string;
      const api = (method: string, path: string, options: Parameters<Harness['api']>[3] = {}) => h.api('demo', method, path, { token, ...options });
      const upload = async (bytes: Buffer, query: { name?: string; folderPath?: string } = {}, fileName = query.name ?? 'file.bin', as = token) => {
        const { body, contentType } = multipart([{ fileName, bytes }]);
        const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
        return h.api('demo', 'POST', `media${search.size ? `?${search}` : ''}`, { token: as, body, headers: { 'content-type': contentType } });
      };
      const create = async (bytes: Buffer, query: { name: string; folderPath?: string }) => {
        const reply = await upload(bytes, query);
        assert.equal(reply.status, 201, reply.raw);
        return reply.body as { id: string; name: string; relativePath: string };
      };

      before(async () => {
        h = await createHarness(dialect, { env: { LATCHKEY_FILE_STORE: fileStore } });
        await h.env('demo');
        await h.env('other');
        token = await h.apiToken('demo');
      });
      after(async () => {
        await h.app.services.content.media.previews.idle();
        await h.close();
      });

      it('uploads an image in the multipart field "file" and answers 201 with the bare item read from its bytes', async () => {
        const bytes = await png({ width: 64, height: 48 });
        const reply = await upload(bytes, { name: 'Logo.png', folderPath: 'brand/2026/' });
        assert.equal(reply.status, 201, reply.raw);
        assert.match(reply.body.id, /^med_[0-9A-Za-z]{22}$/);
        assert.deepEqual(reply.body, {
          id: reply.body.id,
          name: 'Logo.png',
          relativePath: '/brand/2026',
          extension: 'png',
          type: 0,
          width: 64,
          height: 48,
          metaData: {
            format: 'png',
            mimeType: 'image/png',
            fileSize: String(bytes.length),
            space: 'srgb',
            channels: '3',
            depth: 'uchar',
            hasAlpha: 'false',
            hasProfile: 'false',
            isProgressive: 'false',
          },
          dateCreated: at(START),
          lastModified: at(START),
        });
        assert.equal(reply.headers.location, `${BASE}/demo/media/${reply.body.id}`);
        const stored = await storedBytes(h);
        const key = `demo/media/${reply.body.id}/original`;
        assert.ok(fileStore === 'disk' ? stored.files.includes(key) : stored.objects.includes(key), JSON.stringify(stored));
      });

      it('reads width, height and format of every accepted type from the bytes', async () => {
        const cases = [
          ['photo.jpg', await jpeg({ width: 40, height: 30 }), 'jpg', 'jpeg', 40, 30],
          ['anim.gif', await gif({ width: 20, height: 10 }), 'gif', 'gif', 20, 10],
          ['pic.webp', await webp({ width: 16, height: 16 }), 'webp', 'webp', 16, 16],
          ['scan.tiff', await tiff({ width: 12, height: 34 }), 'tif', 'tiff', 12, 34],
          ['modern.avif', await avif({ width: 24, height: 18 }), 'avif', 'avif', 24, 18],
          ['icon.svg', svg(120, 60), 'svg', 'svg', 120, 60],
          ['doc.pdf', pdf(), 'pdf', 'pdf', null, null],
        ] as const;
        for (const [name, bytes, extension, format, width, height] of cases) {
          const reply = await upload(bytes, { name, folderPath: '/types' });
          assert.equal(reply.status, 201, `${name}: ${reply.raw}`);
          assert.equal(reply.body.extension, extension, name);
          assert.equal(reply.body.width, width, name);
          assert.equal(reply.body.height, height, name);
          assert.equal(reply.body.metaData.format, format, name);
          assert.equal(reply.body.metaData.fileSize, String(bytes.length), name);
          for (const value of Object.values(reply.body.metaData)) assert.equal(typeof value, 'string', `${name}: metaData values are strings`);
        }
      });

      it('takes the name from the uploaded file when ?name is absent (its last path segment)', async () => {
        const reply = await upload(await png(), { folderPath: '/named' }, 'C:\\Users\\me\\Desktop\\from-file.png');
        assert.equal(reply.status, 201, reply.raw);
        assert.equal(reply.body.name, 'from-file.png');
        assert.equal(reply.body.relativePath, '/named');
        const { body, contentType } = multipart([{ bytes: await png() }]);
        expectProblem(await api('POST', 'media', { body, headers: { 'content-type': contentType } }), 400, /name is required/);
      });

      it('answers one item wrapped, with absolute download and preview links', async () => {
        const created = await create(await jpeg(), { name: 'Wrapped.jpg' });
        const reply = await api('GET', `media/${created.id}`);
        assert.equal(reply.status, 200);
        const self = `${BASE}/demo/media/${created.id}`;
        assert.deepEqual(reply.body.data, created);
        assert.deepEqual(reply.body.links, {
          download: `${self}/download`,
          thumbnail: `${self}/preview/thumbnail`,
          medium: `${self}/preview/medium`,
          highest: `${self}/preview/highest`,
          fullOrVector: `${self}/preview/fullOrVector`,
          highestOrVector: `${self}/preview/highestOrVector`,
          x4096: `${self}/preview/x4096`,
        });
        expectProblem(await api('GET', 'media/med_doesnotexist'), 404, 'Media item not found.');
      });

      it('downloads the original bytes with their sniffed type, a strong ETag, 304 and byte ranges', async () => {
        const bytes = await png({ width: 300, height: 200 });
        // Named .pdf, but a PNG: the type comes from the bytes.
        const created = await create(bytes, { name: 'not-really.pdf' });
        const full = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${token}` } });
        assert.equal(full.statusCode, 200);
        assert.deepEqual(full.rawPayload, bytes);
        assert.equal(full.headers['content-type'], 'image/png');
        assert.equal(full.headers['content-length'], String(bytes.length));
        assert.equal(full.headers.etag, etagOf(bytes));
        assert.equal(full.headers['accept-ranges'], 'bytes');
        assert.equal(full.headers['x-content-type-options'], 'nosniff');
        assert.equal(full.headers['cache-control'], 'private, no-cache');
        assert.equal(full.headers['content-disposition'], `inline; filename="not-really.pdf"; filename*=UTF-8''not-really.pdf`);

        const cached = await api('GET', `media/${created.id}/download`, { headers: { 'if-none-match': `"stale", ${etagOf(bytes)}` } });
        assert.equal(cached.status, 304);
        assert.equal(cached.raw, '');

        const range = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${token}`, range: 'bytes=8-23' } });
        assert.equal(range.statusCode, 206);
        assert.deepEqual(range.rawPayload, bytes.subarray(8, 24));
        assert.equal(range.headers['content-range'], `bytes 8-23/${bytes.length}`);
        assert.equal(range.headers['content-length'], '16');
        const suffix = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${token}`, range: 'bytes=-4' } });
        assert.deepEqual(suffix.rawPayload, bytes.subarray(bytes.length - 4));
        const open = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${token}`, range: `bytes=${bytes.length - 2}-` } });
        assert.deepEqual(open.rawPayload, bytes.subarray(bytes.length - 2));
        const beyond = await api('GET', `media/${created.id}/download`, { headers: { range: `bytes=${bytes.length}-` } });
        expectProblem(beyond, 416, `The range lies beyond the end of the file (${bytes.length} bytes).`);
        assert.equal(beyond.headers['content-range'], `bytes */${bytes.length}`);
        const several = await api('GET', `media/${created.id}/download`, { headers: { range: 'bytes=0-1,4-5' } });
        assert.equal(several.status, 200, 'several ranges: the whole file (RFC 9110 §14.2 lets a server ignore Range)');
        const staleIfRange = await api('GET', `media/${created.id}/download`, { headers: { range: 'bytes=0-1', 'if-range': '"old"' } });
        assert.equal(staleIfRange.status, 200, 'If-Range that does not match: the whole file');

        const head = await h.inject({ method: 'HEAD', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${token}` } });
        assert.equal(head.statusCode, 200);
        assert.equal(head.headers['content-length'], String(bytes.length));
        assert.equal(head.rawPayload.length, 0);
      });

      it('serves an SVG as a sandboxed attachment, so opening it never runs its script', async () => {
        const bytes = svg();
        const created = await create(bytes, { name: 'with-script.svg' });
        const reply = await api('GET', `media/${created.id}/download`);
        assert.equal(reply.status, 200);
        assert.equal(reply.raw, bytes.toString());
        assert.equal(reply.headers['content-type'], 'image/svg+xml');
        assert.equal(reply.headers['content-security-policy'], 'sandbox');
        assert.equal(reply.headers['content-disposition'], `attachment; filename="with-script.svg"; filename*=UTF-8''with-script.svg`);
      });

      it('lists media with folders, subfolders, search, sorting and paging (SPEC §4 lists)', async () => {
        const env = 'listing';
        await h.env(env);
        const listToken = await h.apiToken(env);
        const list = (query: string) => h.api(env, 'GET', `media?${query}`, { token: listToken });
        const image = await png({ width: 8, height: 8 });
        const made: Record<string, string> = {};
        for (const [name, folder] of [
          ['banana.png', '/'],
          ['Apple.png', '/'],
          ['cherry.png', '/fruit'],
          ['date.png', '/fruit/dried'],
          ['Elder.png', '/trees'],
        ] as const) {
          const { body, contentType } = multipart([{ fileName: name, bytes: image }]);
          const reply = await h.api(env, 'POST', `media?folderPath=${encodeURIComponent(folder)}`, { token: listToken, body, headers: { 'content-type': contentType } });
          assert.equal(reply.status, 201, reply.raw);
          made[name] = reply.body.id;
        }
        const names = async (query: string) => (await list(query)).body.data.map((item: { name: string; type: number }) => `${item.type}:${item.name}`);

        assert.deepEqual(await names(''), ['0:Apple.png', '0:banana.png', '0:cherry.png', '0:date.png', '0:Elder.png'], 'no folder: the whole environment, by name');
        assert.deepEqual(await names('folder=/'), ['0:Apple.png', '0:banana.png'], 'a folder: that folder only');
        assert.deepEqual(await names('folder=/fruit&includeItemsFromSubfolders=true'), ['0:cherry.png', '0:date.png']);
        assert.deepEqual(await names('folder=/&includeFolders=true'), ['1:fruit', '1:trees', '0:Apple.png', '0:banana.png']);
        assert.deepEqual(await names('search=an'), ['0:banana.png']);
        assert.deepEqual(await names(`search=${made['date.png']}`), ['0:date.png'], 'search matches an exact id too');
        assert.deepEqual(await names('sortBy=NAME&sortOrder=desc&folder=/'), ['0:banana.png', '0:Apple.png']);
        assert.deepEqual(await names('sortBy=relativePath'), ['0:Apple.png', '0:banana.png', '0:cherry.png', '0:date.png', '0:Elder.png']);

        const folderItem = (await list('folder=/fruit&includeFolders=true')).body.data[0];
        assert.deepEqual(folderItem, {
          id: '/fruit/dried',
          name: 'dried',
          relativePath: '/fruit',
          extension: null,
          type: 1,
          width: null,
          height: null,
          metaData: null,
          dateCreated: null,
          lastModified: null,
        });

        const seen: string[] = [];
        let reply = await list('limit=2&sortBy=id');
        assert.equal(reply.body.total, 5);
        assert.match(reply.body.links.nextPage, new RegExp(`^${BASE}/${env}/media\\?limit=2&sortBy=id&nextPageToken=`));
        for (;;) {
          seen.push(...reply.body.data.map((item: { id: string }) => item.id));
          if (!reply.body.links.nextPage) break;
          reply = await list(`nextPageToken=${encodeURIComponent(reply.body.links.nextPage)}`);
          assert.equal(reply.status, 200, reply.raw);
        }
        assert.deepEqual(seen, Object.values(made).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
        expectProblem(await list('sortBy=size'), 400, 'sortBy must be one of name, id, relativePath.');
        expectProblem(await list('folder=/a/../b'), 400, 'folder must not contain "." or ".." segments.');
      });

      it('lists one folder level with media/directory: its items and the folders right below it', async () => {
        const env = 'directory';
        await h.env(env);
        const dirToken = await h.apiToken(env);
        const image = await png({ width: 8, height: 8 });
        for (const [name, folder] of [
          ['top.png', '/'],
          ['a.png', '/campaign'],
          ['b.png', '/campaign/2026'],
          ['c.png', '/campaign/2026/spring'],
          ['d.png', '/archive'],
        ] as const) {
          const { body, contentType } = multipart([{ fileName: name, bytes: image }]);
          assert.equal((await h.api(env, 'POST', `media?folderPath=${folder}`, { token: dirToken, body, headers: { 'content-type': contentType } })).status, 201);
        }
        const entries = async (query: string) =>
          (await h.api(env, 'GET', `media/directory?${query}`, { token: dirToken })).body.data.map((item: { name: string; type: number }) => `${item.type}:${item.name}`);
        assert.deepEqual(await entries(''), ['1:archive', '1:campaign', '0:top.png'], 'the root, folders first');
        assert.deepEqual(await entries('folder=/campaign'), ['1:2026', '0:a.png']);
        assert.deepEqual(await entries('folder=/campaign&includeFolders=false'), ['0:a.png']);
        assert.deepEqual(await entries('folder=/campaign/2026&search=spr'), ['1:spring']);
        const paged = await h.api(env, 'GET', 'media/directory?limit=2', { token: dirToken });
        assert.equal(paged.body.total, 3);
        const rest = await h.api(env, 'GET', `media/directory?nextPageToken=${encodeURIComponent(paged.body.links.nextPage)}`, { token: dirToken });
        assert.deepEqual(rest.body.data.map((item: { name: string }) => item.name), ['top.png']);
        expectProblem(
          await h.api(env, 'GET', 'media/directory?includeItemsFromSubfolders=true', { token: dirToken }),
          400,
          'media/directory lists one folder level: use GET media with includeItemsFromSubfolders=true instead.',
        );
      });

      it('renames and moves an item with PATCH; a name taken in the target folder is 409', async () => {
        const created = await create(await png(), { name: 'before.png', folderPath: '/patch' });
        h.clock.advance(1000);
        const moved = await api('PATCH', `media/${created.id}`, { body: { name: 'after.png', folderPath: 'patch/moved/' } });
        assert.equal(moved.status, 200, moved.raw);
        assert.deepEqual(moved.body, { ...created, name: 'after.png', relativePath: '/patch/moved', lastModified: at(h.clock.now()) });
        assert.deepEqual((await api('GET', `media/${created.id}`)).body.data, moved.body);
        const renamed = await api('PATCH', `media/${created.id}`, { body: { name: 'AFTER.png', ignored: 'unknown fields are ignored, as GraFx does' } });
        assert.equal(renamed.body.name, 'AFTER.png');
        assert.equal(renamed.body.relativePath, '/patch/moved');

        await create(await png(), { name: 'taken.png', folderPath: '/patch/moved' });
        expectProblem(
          await api('PATCH', `media/${created.id}`, { body: { name: 'TAKEN.png' } }),
          409,
          'A media item named "TAKEN.png" already exists in folder /patch/moved; names are unique per folder (case-insensitive).',
        );
        expectProblem(await api('PATCH', `media/${created.id}`, { body: {} }), 400, 'Send name and/or folderPath to rename or move the item.');
        expectProblem(
          await api('PATCH', `media/${created.id}`, { body: '<name>x</name>', headers: { 'content-type': 'application/xml' } }),
          415,
          'Content-Type application/xml is not supported here: send JSON with Content-Type: application/json.',
        );
        expectProblem(await api('PATCH', `media/${created.id}`, { body: { name: '../escape.png' } }), 400, 'name must not contain "/" or "\\".');
        expectProblem(await api('PATCH', `media/${created.id}`, { body: { folderPath: '/a/../../etc' } }), 400, 'folderPath must not contain "." or ".." segments.');
        expectProblem(await api('PATCH', 'media/med_missing', { body: { name: 'x.png' } }), 404, 'Media item not found.');
        const dup = await upload(await png(), { name: 'taken.png', folderPath: '/patch/moved' });
        expectProblem(dup, 409, 'A media item named "taken.png" already exists in folder /patch/moved; names are unique per folder (case-insensitive).');
      });

      it('deletes an item with its bytes and its previews', async () => {
        const created = await create(await jpeg({ width: 400, height: 300 }), { name: 'doomed.jpg', folderPath: '/delete' });
        await h.app.services.content.media.previews.idle();
        const prefix = `demo/media/${created.id}/`;
        const before = await storedBytes(h);
        const mine = (fileStore === 'disk' ? before.files : before.objects).filter((key) => key.startsWith(prefix));
        assert.deepEqual(mine, [`${prefix}original`, `${prefix}previews/highest`, `${prefix}previews/medium`, `${prefix}previews/thumbnail`]);

        const reply = await api('DELETE', `media/${created.id}`);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.body, created);
        expectProblem(await api('GET', `media/${created.id}`), 404, 'Media item not found.');
        expectProblem(await api('GET', `media/${created.id}/download`), 404, 'Media item not found.');
        expectProblem(await api('GET', `media/${created.id}/preview/thumbnail`), 404, 'Media item not found.');
        expectProblem(await api('DELETE', `media/${created.id}`), 404, 'Media item not found.');
        const afterwards = await storedBytes(h);
        assert.deepEqual((fileStore === 'disk' ? afterwards.files : afterwards.objects).filter((key) => key.startsWith(prefix)), []);
        const rows = await h.app.services.database.db.selectFrom('media_previews').select('rendition').where('media_id', '=', created.id).execute();
        assert.deepEqual(rows, []);
      });

      it('keeps environments apart: another environment sees none of these media', async () => {
        const mine = await create(await png(), { name: 'secret.png', folderPath: '/secret' });
        const otherToken = await h.apiToken('other');
        const other = (method: string, path: string, body?: unknown) => h.api('other', method, path, { token: otherToken, ...(body ? { body } : {}) });
        for (const path of [`media/${mine.id}`, `media/${mine.id}/download`, `media/${mine.id}/preview/thumbnail`]) {
          expectProblem(await other('GET', path), 404, 'Media item not found.');
        }
        expectProblem(await other('PATCH', `media/${mine.id}`, { name: 'stolen.png' }), 404, 'Media item not found.');
        expectProblem(await other('DELETE', `media/${mine.id}`), 404, 'Media item not found.');
        assert.deepEqual((await other('GET', `media?search=${mine.id}`)).body, { data: [], pageSize: 0, links: { nextPage: '' }, total: 0 });
        assert.equal((await h.api('other', 'GET', `media/${mine.id}`, { token })).status, 401, "demo's token is not accepted on other's path");
        assert.equal((await api('GET', `media/${mine.id}`)).status, 200);
      });

      it('answers the calls of the GraFx media connector with a read-only token', async () => {
        const readOnly = await h.apiToken('demo', { preset: 'read-only' });
        const created = await create(await jpeg({ width: 120, height: 80 }), { name: 'connector.jpg', folderPath: '/connector' });
        await h.app.services.content.media.previews.idle();
        // The connector sends every list parameter, empty when unused.
        const listed = await h.api('demo', 'GET', 'media?limit=&nextPageToken=&sortBy=&sortOrder=&search=&folder=&includeFolders=&includeItemsFromSubfolders=', { token: readOnly });
        assert.equal(listed.status, 200, listed.raw);
        assert.ok(listed.body.data.some((item: { id: string }) => item.id === created.id));
        assert.equal(listed.body.pageSize, listed.body.data.length);
        const searched = await h.api('demo', 'GET', `media?limit=10&nextPageToken=&sortBy=name&sortOrder=asc&search=connector&folder=/connector&includeFolders=true&includeItemsFromSubfolders=false`, {
          token: readOnly,
        });
        assert.deepEqual(searched.body.data.map((item: { id: string }) => item.id), [created.id]);
        const item = await h.api('demo', 'GET', `media/${created.id}`, { token: readOnly });
        assert.equal(item.status, 200);
        assert.deepEqual(item.body.data, created);
        const thumbnail = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/preview/thumbnail`, headers: { authorization: `Bearer ${readOnly}` } });
        assert.equal(thumbnail.statusCode, 200);
        assert.equal(thumbnail.headers['content-type'], 'image/jpeg');
        const download = await h.inject({ method: 'GET', url: `/grafx/api/v1/environment/demo/media/${created.id}/download`, headers: { authorization: `Bearer ${readOnly}` } });
        assert.equal(download.statusCode, 200);
        assert.equal(download.headers['content-type'], 'image/jpeg');
        const refused = await upload(await png(), { name: 'nope.png' }, 'nope.png', readOnly);
        expectProblem(refused, 403, 'This request needs the media:write permission, which this access token does not hold');
      });

      if (fileStore === 'disk') {
        const tokens = new Map<string, Promise<string>>();
        const tokenWith = (scopes: string[]) => {
          const key = scopes.join(' ');
          if (!tokens.has(key)) tokens.set(key, h.apiToken('demo', { scopes }));
          return tokens.get(key)!;
        };
        for (const [method, path, scope, body] of [
          ['GET', 'media', 'media:list'],
          ['GET', 'media/directory', 'media:list'],
          ['POST', 'media?name={n}.png&folderPath=/scopes', 'media:write', 'upload'],
          ['GET', 'media/{id}', 'media:read'],
          ['GET', 'media/{id}/download', 'media:read'],
          ['GET', 'media/{id}/preview/thumbnail', 'media:read'],
          ['GET', 'media/{id}/preview?previewType=medium', 'media:read'],
          ['PATCH', 'media/{id}', 'media:write', { name: '{n}-renamed.png' }],
          ['DELETE', 'media/{id}', 'media:write'],
        ] as const) {
          it(`${method} ${path} needs ${scope}: accepted with it alone, 403 with every other scope`, async () => {
            const fixture = await create(await png(), { name: `scope-${String(Math.random()).slice(2)}.png`, folderPath: '/scopes' });
            const n = String(Math.random()).slice(2);
            const url = path.replace('{id}', fixture.id).replace('{n}', n);
            const payload = async () => {
              if (body === 'upload') {
                const { body: form, contentType } = multipart([{ fileName: 'x.png', bytes: await png() }]);
                return { body: form, headers: { 'content-type': contentType } };
              }
              return body ? { body: { name: body.name.replace('{n}', n) } } : {};
            };
            const refused = await h.api('demo', method, url, { token: await tokenWith(SCOPES.filter((s) => s !== scope)), ...(await payload()) });
            assert.equal(refused.status, 403);
            assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
            assert.match(String(refused.headers['www-authenticate']), new RegExp(`scope="${scope}"`));
            const accepted = await h.api('demo', method, url, { token: await tokenWith([scope]), ...(await payload()) });
            assert.ok([200, 201, 202].includes(accepted.status), `${accepted.status} ${accepted.raw}`);
          });
        }
      }
    });
  }
}
