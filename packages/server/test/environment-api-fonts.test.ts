// Fonts in the Environment API (SPEC §4): GraFx's font-families and font-styles, the three-step
// upload (temp batch → corrections → confirm), lists, downloads, deletes, expiry, scopes, and
// hostile files, against both file stores on every dialect.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, ISSUER, type ApiReply, type Harness } from './helpers/harness.ts';
import { exe, multipart, png, realWoff2, sfnt, storedBytes, woff, woff2, type Part } from './fixtures/media/builders.ts';

const BASE = `${ISSUER}/grafx/api/v1/environment`;
const at = (ms: number) => new Date(ms).toISOString();
const NOT_A_FONT = 'The file is not a font: TTF, OTF, WOFF and WOFF2 fonts are accepted (the type is read from the file, not its name).';

function expectProblem(reply: ApiReply, status: number, detail: string | RegExp) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.equal(reply.body.title, STATUS_CODES[status]);
  if (typeof detail === 'string') assert.equal(reply.body.detail, detail);
  else assert.match(reply.body.detail, detail);
}

interface Preloaded {
  id: string;
  name: string;
  familyName: string;
  fileName: string;
  errors: string[];
  canBeUploaded: boolean;
  extension: string | null;
  fileSize: number;
}

for (const dialect of dialects()) {
  for (const fileStore of ['disk', 'database'] as const) {
    describe(`Environment API fonts: ${fileStore} store (${dialect})`, () => {
      let h: Harness;
      let token: string;
      const api = (method: string, path: string, options: Parameters<Harness['api']>[3] = {}) => h.api('demo', method, path, { token, ...options });
      const startUpload = (files: Part[], as = token, env = 'demo') => {
        const { body, contentType } = multipart(files);
        return h.api(env, 'POST', 'font-styles/temp', { token: as, body, headers: { 'content-type': contentType } });
      };
      /** All three steps; answers the confirmation's body. */
      const uploadFonts = async (files: Part[], corrections?: (preloaded: Preloaded[]) => unknown[]) => {
        const batch = await startUpload(files);
        assert.equal(batch.status, 201, batch.raw);
        if (corrections) assert.equal((await api('PATCH', `font-styles/temp/${batch.body.batchId}`, { body: corrections(batch.body.data.preloadedData) })).status, 200);
        const confirmed = await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`);
        assert.equal(confirmed.status, 201, confirmed.raw);
        return confirmed.body as { fontFamilies: Array<{ id: string; name: string }>; fontStyles: Array<{ id: string; name: string; familyId: string }> };
      };
      const storedKeys = async () => {
        const stored = await storedBytes(h);
        return (fileStore === 'disk' ? stored.files : stored.objects).filter((key) => key.includes('/fonts/'));
      };

      before(async () => {
        h = await createHarness(dialect, { env: { LATCHKEY_FILE_STORE: fileStore } });
        await h.env('demo');
        await h.env('other');
        token = await h.apiToken('demo');
      });
      after(() => h.close());

      it('reads family and style from TTF, OTF, WOFF and WOFF2 files (step 1), typographic names first', async () => {
        const names = { family: 'Brand Sans Bold', style: 'Regular', typographicFamily: 'Brand Sans', typographicStyle: 'Bold' };
        const files: Part[] = [
          { fileName: 'BrandSans-Bold.ttf', bytes: sfnt(names) },
          { fileName: 'BrandSans-Italic.otf', bytes: sfnt({ family: 'Brand Sans', style: 'Italic' }, 'otf') },
          { fileName: 'BrandSerif.woff', bytes: woff({ family: 'Brand Serif', style: 'Regular' }) },
          { fileName: 'BrandSerif-Bold.woff2', bytes: woff2({ family: 'Brand Serif', style: 'Bold' }) },
          { fileName: 'SourceCodePro-It.woff2', bytes: realWoff2() },
        ];
        const reply = await startUpload(files);
        assert.equal(reply.status, 201, reply.raw);
        const { batchId, links, data } = reply.body;
        assert.match(batchId, /^fb_[0-9A-Za-z]{22}$/);
        assert.deepEqual(links, { self: `${BASE}/demo/font-styles/temp/${batchId}`, confirm: `${BASE}/demo/font-styles/temp/${batchId}/confirm` });
        const expected: Array<[string, string, string, string, number]> = [
          ['Bold', 'Brand Sans', 'BrandSans-Bold.ttf', 'ttf', files[0]!.bytes!.length],
          ['Italic', 'Brand Sans', 'BrandSans-Italic.otf', 'otf', files[1]!.bytes!.length],
          ['Regular', 'Brand Serif', 'BrandSerif.woff', 'woff', files[2]!.bytes!.length],
          ['Bold', 'Brand Serif', 'BrandSerif-Bold.woff2', 'woff2', files[3]!.bytes!.length],
          ['Italic', 'Source Code Pro', 'SourceCodePro-It.woff2', 'woff2', files[4]!.bytes!.length],
        ];
        assert.deepEqual(
          data.preloadedData,
          expected.map(([name, familyName, fileName, extension, fileSize], i) => ({
            id: data.preloadedData[i].id,
            name,
            familyName,
            fileName,
            errors: [],
            canBeUploaded: true,
            extension,
            fileSize,
          })),
        );
        for (const entry of data.preloadedData) assert.match(entry.id, /^fs_[0-9A-Za-z]{22}$/);
        const ids = data.preloadedData.map((entry: Preloaded) => entry.id);
        assert.deepEqual(data.fontFamilies, [
          { id: null, name: 'Brand Sans', fontStyleIds: [ids[0], ids[1]] },
          { id: null, name: 'Brand Serif', fontStyleIds: [ids[2], ids[3]] },
          { id: null, name: 'Source Code Pro', fontStyleIds: [ids[4]] },
        ]);
        assert.equal((await api('POST', `font-styles/temp/${batchId}/confirm`)).status, 201);
      });

      it('refuses what is not a font, or is damaged, as entries that cannot be uploaded — never as a failure', async () => {
        const good = sfnt({ family: 'Survivor', style: 'Regular' });
        const truncated = sfnt({ family: 'Cut', style: 'Regular' }).subarray(0, 40);
        const collection = Buffer.concat([Buffer.from('ttcf'), Buffer.alloc(60)]);
        const lying = woff({ family: 'Liar', style: 'Regular' });
        lying.writeUInt32BE(lying.length + 1000, 8);
        const before = await storedKeys();
        const reply = await startUpload([
          { fileName: 'notes.ttf', bytes: Buffer.from('this is a text file') },
          { fileName: 'setup.woff2', bytes: exe() },
          { fileName: 'logo.otf', bytes: await png() },
          { fileName: 'Cut.ttf', bytes: truncated },
          { fileName: 'Family.ttc', bytes: collection },
          { fileName: 'Liar.woff', bytes: lying },
          { fileName: 'Survivor.ttf', bytes: good },
          { fileName: 'empty.ttf', bytes: Buffer.alloc(0) },
        ]);
        assert.equal(reply.status, 201, reply.raw);
        const entries = reply.body.data.preloadedData.map((entry: Preloaded) => [entry.fileName, entry.canBeUploaded, entry.errors]);
        assert.deepEqual(entries, [
          ['notes.ttf', false, [NOT_A_FONT]],
          ['setup.woff2', false, [NOT_A_FONT]],
          ['logo.otf', false, [NOT_A_FONT]],
          ['Cut.ttf', false, ['The font file is truncated or damaged (a table lies beyond its end).']],
          ['Family.ttc', false, ['Font collections (TTC) are not accepted: upload each font on its own. TTF, OTF, WOFF and WOFF2 fonts are accepted (the type is read from the file, not its name).']],
          ['Liar.woff', false, ['The font file is truncated or damaged (its length does not match its header).']],
          ['Survivor.ttf', true, []],
          ['empty.ttf', false, [NOT_A_FONT]],
        ]);
        const survivor = reply.body.data.preloadedData[6].id;
        assert.deepEqual((await storedKeys()).filter((key) => !before.includes(key)), [`demo/fonts/${survivor}`], 'only the usable font is kept');
        const confirmed = await api('POST', `font-styles/temp/${reply.body.batchId}/confirm`);
        assert.equal(confirmed.status, 201);
        assert.deepEqual(confirmed.body.fontStyles.map((style: { id: string }) => style.id), [survivor]);
        const nothing = await startUpload([{ fileName: 'a.ttf', bytes: Buffer.from('nope') }]);
        expectProblem(await api('POST', `font-styles/temp/${nothing.body.batchId}/confirm`), 400, /^Nothing in this batch can be uploaded \(a\.ttf: The file is not a font/);
      });

      it('corrects names (step 2) and creates the family and its styles (step 3)', async () => {
        const batch = await startUpload([
          { fileName: 'Raw-Regular.ttf', bytes: sfnt({ family: 'Raw Name', style: 'Regular' }) },
          { fileName: 'Raw-Black.woff2', bytes: woff2({ family: 'Raw Name', style: 'Black' }) },
        ]);
        const [regular, black] = batch.body.data.preloadedData as Preloaded[];
        h.clock.advance(60_000);
        const patched = await api('PATCH', `font-styles/temp/${batch.body.batchId}`, {
          body: [
            { fontStyleId: regular!.id, familyName: 'Corporate', styleName: 'Book' },
            { fontStyleId: black!.id, familyName: 'Corporate', styleName: 'Heavy' },
          ],
        });
        assert.equal(patched.status, 200, patched.raw);
        assert.deepEqual(patched.body.data.fontFamilies, [{ id: null, name: 'Corporate', fontStyleIds: [regular!.id, black!.id] }]);
        assert.deepEqual(patched.body.data.preloadedData.map((p: Preloaded) => [p.familyName, p.name]), [['Corporate', 'Book'], ['Corporate', 'Heavy']]);

        expectProblem(
          await api('PATCH', `font-styles/temp/${batch.body.batchId}`, { body: [{ fontStyleId: 'fs_unknown', familyName: 'X', styleName: 'Y' }] }),
          400,
          'fontStyleId fs_unknown is not in this batch.',
        );
        expectProblem(await api('PATCH', `font-styles/temp/${batch.body.batchId}`, { body: [{ fontStyleId: regular!.id, familyName: ' ', styleName: 'Y' }] }), 400, '[0].familyName must not be empty.');
        expectProblem(await api('PATCH', `font-styles/temp/${batch.body.batchId}`, { body: { not: 'an array' } }), 400, /body must be array/);

        const confirmed = await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`);
        assert.equal(confirmed.status, 201, confirmed.raw);
        const family = confirmed.body.fontFamilies[0];
        assert.match(family.id, /^ff_[0-9A-Za-z]{22}$/);
        const now = at(h.clock.now());
        assert.deepEqual(confirmed.body, {
          fontFamilies: [{ id: family.id, name: 'Corporate', fontStylesCount: 2, dateCreated: now, lastModifiedDate: now, extensions: ['ttf', 'woff2'] }],
          fontStyles: [
            { id: regular!.id, name: 'Book', familyId: family.id, familyName: 'Corporate', dateCreated: now, extension: 'ttf', fileName: 'Raw-Regular.ttf', fileSize: regular!.fileSize },
            { id: black!.id, name: 'Heavy', familyId: family.id, familyName: 'Corporate', dateCreated: now, extension: 'woff2', fileName: 'Raw-Black.woff2', fileSize: black!.fileSize },
          ],
        });
        const gone = 'Font upload batch not found: it was confirmed, has expired (after 1 hour), or belongs to another integration.';
        expectProblem(await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`), 404, gone);
        expectProblem(await api('PATCH', `font-styles/temp/${batch.body.batchId}`, { body: [{ fontStyleId: regular!.id, familyName: 'A', styleName: 'B' }] }), 404, gone);
      });

      it('adds styles to an existing family; a style the family has, or a twin in the batch, cannot be uploaded', async () => {
        const first = await uploadFonts([{ fileName: 'Joined-Regular.ttf', bytes: sfnt({ family: 'Joined', style: 'Regular' }) }]);
        const familyId = first.fontFamilies[0]!.id;
        const batch = await startUpload([
          { fileName: 'Joined-Bold.ttf', bytes: sfnt({ family: 'JOINED', style: 'Bold' }) },
          { fileName: 'Joined-Regular-again.ttf', bytes: sfnt({ family: 'Joined', style: 'regular' }) },
          { fileName: 'Joined-Bold-copy.woff', bytes: woff({ family: 'Joined', style: 'Bold' }) },
        ]);
        assert.deepEqual(
          batch.body.data.preloadedData.map((p: Preloaded) => [p.fileName, p.canBeUploaded, p.errors]),
          [
            ['Joined-Bold.ttf', true, []],
            ['Joined-Regular-again.ttf', false, ['The family "Joined" already has a style "regular".']],
            ['Joined-Bold-copy.woff', false, ['Another file of this upload is also "Joined" Bold.']],
          ],
        );
        assert.deepEqual(batch.body.data.fontFamilies, [{ id: familyId, name: 'JOINED', fontStyleIds: [batch.body.data.preloadedData[0].id] }]);
        const confirmed = await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`);
        assert.equal(confirmed.body.fontFamilies[0].id, familyId);
        assert.equal(confirmed.body.fontFamilies[0].name, 'Joined', 'the family keeps its name');
        assert.equal(confirmed.body.fontFamilies[0].fontStylesCount, 2);
        const dropped = batch.body.data.preloadedData.slice(1).map((p: Preloaded) => `demo/fonts/${p.id}`);
        assert.deepEqual((await storedKeys()).filter((key) => dropped.includes(key)), [], 'what was not confirmed is not kept');
      });

      it('lists families and their styles with the list envelope: search, sort and paging', async () => {
        const env = 'fontlist';
        await h.env(env);
        const listToken = await h.apiToken(env);
        const upload = async (family: string, styles: string[]) => {
          const { body, contentType } = multipart(styles.map((style) => ({ fileName: `${family}-${style}.ttf`, bytes: sfnt({ family, style }) })));
          const batch = await h.api(env, 'POST', 'font-styles/temp', { token: listToken, body, headers: { 'content-type': contentType } });
          return (await h.api(env, 'POST', `font-styles/temp/${batch.body.batchId}/confirm`, { token: listToken })).body;
        };
        await upload('Zeta Grotesk', ['Regular']);
        const alpha = await upload('alpha Serif', ['Regular', 'Bold', 'Italic']);
        await upload('Mono', ['Light', 'Regular']);
        const list = (path: string) => h.api(env, 'GET', path, { token: listToken });

        const families = await list('font-families');
        assert.equal(families.status, 200);
        assert.deepEqual(families.body.data.map((f: { name: string; fontStylesCount: number }) => [f.name, f.fontStylesCount]), [['alpha Serif', 3], ['Mono', 2], ['Zeta Grotesk', 1]]);
        assert.deepEqual(families.body.data[0], {
          id: alpha.fontFamilies[0].id,
          name: 'alpha Serif',
          fontStylesCount: 3,
          dateCreated: at(h.clock.now()),
          lastModifiedDate: at(h.clock.now()),
          extensions: ['ttf'],
        });
        assert.deepEqual({ pageSize: families.body.pageSize, total: families.body.total, links: families.body.links }, { pageSize: 3, total: 3, links: { nextPage: '' } });
        assert.deepEqual((await list('font-families?search=MONO')).body.data.map((f: { name: string }) => f.name), ['Mono']);
        assert.deepEqual((await list('font-families?sortBy=name&sortOrder=DESC')).body.data.map((f: { name: string }) => f.name), ['Zeta Grotesk', 'Mono', 'alpha Serif']);
        const first = await list('font-families?limit=2');
        assert.match(first.body.links.nextPage, new RegExp(`^${BASE}/${env}/font-families\\?limit=2&nextPageToken=`));
        const second = await list(`font-families?nextPageToken=${encodeURIComponent(first.body.links.nextPage)}`);
        assert.deepEqual(second.body.data.map((f: { name: string }) => f.name), ['Zeta Grotesk']);
        expectProblem(await list('font-families?folder=/x'), 400, 'folder does not apply to this resource: it has no folders.');

        const familyId = alpha.fontFamilies[0].id;
        const styles = await list(`font-families/${familyId}/styles`);
        assert.deepEqual(styles.body.data.map((s: { name: string }) => s.name), ['Bold', 'Italic', 'Regular']);
        assert.deepEqual(Object.keys(styles.body.data[0]), ['id', 'name', 'familyId', 'familyName', 'dateCreated', 'extension', 'fileName', 'fileSize']);
        assert.deepEqual((await list(`font-families/${familyId}/styles?search=ital`)).body.data.map((s: { name: string }) => s.name), ['Italic']);
        const paged = await list(`font-families/${familyId}/styles?limit=1&sortOrder=desc`);
        assert.equal(paged.body.total, 3);
        assert.deepEqual(paged.body.data.map((s: { name: string }) => s.name), ['Regular']);
        expectProblem(await list('font-families/ff_missing/styles'), 404, 'Font family not found.');
      });

      it('answers a family and a style wrapped, and downloads the font with ETag, 304 and ranges', async () => {
        const bytes = realWoff2();
        const confirmed = await uploadFonts([{ fileName: 'SourceCodePro-It.woff2', bytes }], (preloaded) => [
          { fontStyleId: preloaded[0]!.id, familyName: 'Code Italic Test', styleName: 'Italic' },
        ]);
        const family = confirmed.fontFamilies[0]!;
        const style = confirmed.fontStyles[0]!;
        const familyReply = await api('GET', `font-families/${family.id}`);
        assert.deepEqual(familyReply.body, { data: family, links: { styles: `${BASE}/demo/font-families/${family.id}/styles` } });
        const styleReply = await api('GET', `font-styles/${style.id}`);
        assert.deepEqual(styleReply.body, { data: style, links: { download: `${BASE}/demo/font-styles/${style.id}/download` } });

        const url = `/grafx/api/v1/environment/demo/font-styles/${style.id}/download`;
        const download = await h.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        assert.equal(download.statusCode, 200);
        assert.deepEqual(download.rawPayload, bytes);
        assert.equal(download.headers['content-type'], 'font/woff2');
        assert.equal(download.headers.etag, `"${createHash('sha256').update(bytes).digest('base64url')}"`);
        assert.equal(download.headers['content-disposition'], `attachment; filename="SourceCodePro-It.woff2"; filename*=UTF-8''SourceCodePro-It.woff2`);
        assert.equal((await h.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, 'if-none-match': String(download.headers.etag) } })).statusCode, 304);
        const range = await h.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, range: 'bytes=0-3' } });
        assert.equal(range.statusCode, 206);
        assert.equal(range.rawPayload.toString('latin1'), 'wOF2');
        expectProblem(await api('GET', 'font-styles/fs_missing'), 404, 'Font style not found.');
        expectProblem(await api('GET', 'font-styles/fs_missing/download'), 404, 'Font style not found.');
        expectProblem(await api('GET', 'font-families/ff_missing'), 404, 'Font family not found.');
      });

      it('deletes styles and families by ids, with their bytes; an unknown id deletes nothing', async () => {
        const made = await uploadFonts([
          { fileName: 'Del-A.ttf', bytes: sfnt({ family: 'Deletable', style: 'A' }) },
          { fileName: 'Del-B.ttf', bytes: sfnt({ family: 'Deletable', style: 'B' }) },
          { fileName: 'Del-C.ttf', bytes: sfnt({ family: 'Deletable', style: 'C' }) },
        ]);
        const [a, b, c] = made.fontStyles.map((style) => style.id);
        const familyId = made.fontFamilies[0]!.id;
        expectProblem(await api('DELETE', `font-styles?ids=${a},fs_nope`), 404, 'Font styles not found: fs_nope. Nothing was deleted.');
        assert.equal((await api('GET', `font-styles/${a}`)).status, 200);
        expectProblem(await api('DELETE', 'font-styles'), 400, 'ids is required: a comma-separated list of ids.');
        expectProblem(await api('DELETE', 'font-styles?ids=,,'), 400, 'ids is required: a comma-separated list of ids.');

        const deleted = await api('DELETE', `font-styles?ids=${a}`);
        assert.equal(deleted.status, 204);
        expectProblem(await api('GET', `font-styles/${a}`), 404, 'Font style not found.');
        assert.equal((await api('GET', `font-families/${familyId}`)).body.data.fontStylesCount, 2);
        assert.deepEqual((await storedKeys()).filter((key) => key === `demo/fonts/${a}`), []);

        assert.equal((await api('DELETE', `font-families?ids=${familyId}`)).status, 204);
        expectProblem(await api('GET', `font-families/${familyId}`), 404, 'Font family not found.');
        expectProblem(await api('GET', `font-styles/${b}`), 404, 'Font style not found.');
        assert.deepEqual((await storedKeys()).filter((key) => key === `demo/fonts/${b}` || key === `demo/fonts/${c}`), [], "a family's styles go with their bytes");
        expectProblem(await api('DELETE', `font-families?ids=${familyId}`), 404, `Font families not found: ${familyId}. Nothing was deleted.`);
      });

      it("keeps a batch to the integration that started it, and keeps environments apart", async () => {
        const batch = await startUpload([{ fileName: 'Private.ttf', bytes: sfnt({ family: 'Private', style: 'Regular' }) }]);
        const colleague = await h.apiToken('demo');
        const notFound = 'Font upload batch not found: it was confirmed, has expired (after 1 hour), or belongs to another integration.';
        expectProblem(await h.api('demo', 'POST', `font-styles/temp/${batch.body.batchId}/confirm`, { token: colleague }), 404, notFound);
        const confirmed = await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`);
        const style = confirmed.body.fontStyles[0];
        const otherToken = await h.apiToken('other');
        for (const path of [`font-styles/${style.id}`, `font-styles/${style.id}/download`, `font-families/${style.familyId}`, `font-families/${style.familyId}/styles`]) {
          assert.equal((await h.api('other', 'GET', path, { token: otherToken })).status, 404, path);
        }
        assert.equal((await h.api('other', 'DELETE', `font-styles?ids=${style.id}`, { token: otherToken })).status, 404);
        assert.equal((await h.api('other', 'GET', 'font-families?search=Private', { token: otherToken })).body.total, 0);
      });

      it('expires an unconfirmed batch after an hour and removes its bytes', async () => {
        h.clock.advance(2 * 3600_000);
        await h.app.services.content.maintenance.run(); // Earlier tests' leftovers.
        const batch = await startUpload([{ fileName: 'Forgotten.ttf', bytes: sfnt({ family: 'Forgotten', style: 'Regular' }) }]);
        const key = `demo/fonts/${batch.body.data.preloadedData[0].id}`;
        assert.ok((await storedKeys()).includes(key));
        h.clock.advance(59 * 60_000);
        assert.equal((await h.app.services.content.maintenance.run()).expiredBatches, 0);
        h.clock.advance(60_000);
        expectProblem(await api('POST', `font-styles/temp/${batch.body.batchId}/confirm`), 404, /^Font upload batch not found/);
        assert.equal((await h.app.services.content.maintenance.run()).expiredBatches, 1);
        assert.equal((await storedKeys()).includes(key), false);
      });

      it('refuses a font upload that is not multipart, or holds no file, or sends files in another field', async () => {
        expectProblem(await api('POST', 'font-styles/temp', { body: { fonts: [] } }), 415, 'Send the file as multipart/form-data, in the field "file".');
        const fieldsOnly = multipart([{ field: 'name', value: 'x' }]);
        expectProblem(await api('POST', 'font-styles/temp', { body: fieldsOnly.body, headers: { 'content-type': fieldsOnly.contentType } }), 400, 'The multipart body holds no file: send each font in a field "file".');
        const wrongField = multipart([{ field: 'font', fileName: 'x.ttf', bytes: sfnt({ family: 'X', style: 'Y' }) }]);
        expectProblem(
          await api('POST', 'font-styles/temp', { body: wrongField.body, headers: { 'content-type': wrongField.contentType } }),
          400,
          'Files must be sent in the multipart field "file", not "font".',
        );
      });

      if (fileStore === 'disk') {
        const tokens = new Map<string, Promise<string>>();
        const tokenWith = (scopes: string[]) => {
          const key = scopes.join(' ');
          if (!tokens.has(key)) tokens.set(key, h.apiToken('demo', { scopes }));
          return tokens.get(key)!;
        };
        for (const [method, path, scope] of [
          ['GET', 'font-families', 'font:list'],
          ['GET', 'font-families/{family}', 'font:read'],
          ['GET', 'font-families/{family}/styles', 'font:list'],
          ['GET', 'font-styles/{style}', 'font:read'],
          ['GET', 'font-styles/{style}/download', 'font:read'],
          ['POST', 'font-styles/temp', 'font:write'],
          ['PATCH', 'font-styles/temp/{batch}', 'font:write'],
          ['POST', 'font-styles/temp/{batch}/confirm', 'font:write'],
          ['DELETE', 'font-styles?ids={style}', 'font:write'],
          ['DELETE', 'font-families?ids={family}', 'font:write'],
        ] as const) {
          it(`${method} ${path} needs ${scope}: accepted with it alone, 403 with every other scope`, async () => {
            const family = `Scoped ${String(Math.random()).slice(2)}`;
            const made = await uploadFonts([{ fileName: 'S.ttf', bytes: sfnt({ family, style: 'Regular' }) }]);
            const form = () => multipart([{ fileName: 'T.ttf', bytes: sfnt({ family: `${family} ${String(Math.random()).slice(2)}`, style: 'Regular' }) }]);
            const payload = () => {
              if (path === 'font-styles/temp') {
                const { body, contentType } = form();
                return { body, headers: { 'content-type': contentType } };
              }
              return method === 'PATCH' ? { body: [] as unknown[] } : {};
            };
            const url = (batchId: string) =>
              path.replace('{family}', made.fontFamilies[0]!.id).replace('{style}', made.fontStyles[0]!.id).replace('{batch}', batchId);

            const refused = await h.api('demo', method, url('fb_any'), { token: await tokenWith(SCOPES.filter((s) => s !== scope)), ...payload() });
            assert.equal(refused.status, 403);
            assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
            assert.match(String(refused.headers['www-authenticate']), new RegExp(`scope="${scope}"`));

            const allowed = await tokenWith([scope]);
            let batchId = 'fb_any';
            if (path.includes('{batch}')) {
              // A batch is its uploader's alone: the token under test starts its own (font:write allows it).
              const { body, contentType } = form();
              batchId = (await h.api('demo', 'POST', 'font-styles/temp', { token: allowed, body, headers: { 'content-type': contentType } })).body.batchId;
            }
            const body = method === 'PATCH' ? { body: [{ fontStyleId: 'fs_none', familyName: 'A', styleName: 'B' }] } : payload();
            const accepted = await h.api('demo', method, url(batchId), { token: allowed, ...body });
            const expected = method === 'PATCH' ? 400 : method === 'DELETE' ? 204 : method === 'POST' ? 201 : 200;
            assert.equal(accepted.status, expected, accepted.raw);
          });
        }
      }
    });
  }
}

describe('font upload limits', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness(dialects()[0]!, { env: { LATCHKEY_MAX_UPLOAD_BYTES: String(8 * 1024) } });
    await h.env('demo');
  });
  after(() => h.close());

  it('refuses a batch over LATCHKEY_MAX_UPLOAD_BYTES with 413 and keeps none of its fonts', async () => {
    const token = await h.apiToken('demo');
    const { body, contentType } = multipart([
      { fileName: 'Small.ttf', bytes: sfnt({ family: 'Small', style: 'Regular' }) },
      { fileName: 'SourceCodePro-It.woff2', bytes: realWoff2() },
    ]);
    const reply = await h.api('demo', 'POST', 'font-styles/temp', { token, body, headers: { 'content-type': contentType } });
    expectProblem(reply, 413, 'The file is larger than the limit of 8 KiB (8192 bytes).');
    const stored = await storedBytes(h);
    assert.deepEqual([stored.files.filter((f) => !f.startsWith('.tmp')), stored.objects], [[], []]);
    const batches = await h.app.services.database.db.selectFrom('font_upload_batches').select('id').execute();
    assert.deepEqual(batches, []);
  });
});

