import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, ISSUER, START, type ApiReply, type Harness } from './helpers/harness.ts';

const BASE = `${ISSUER}/grafx/api/v1/environment`;
const at = (ms: number) => new Date(ms).toISOString();

/** The item a template answers as, at the harness's frozen time unless told otherwise. */
const templateItem = (fields: { id: string; name: string; relativePath?: string; created?: number; modified?: number }) => ({
  id: fields.id,
  name: fields.name,
  relativePath: fields.relativePath ?? '/',
  extension: 'json',
  type: 0,
  width: null,
  height: null,
  metaData: {},
  dateCreated: at(fields.created ?? START),
  lastModified: at(fields.modified ?? fields.created ?? START),
});

function expectProblem(reply: ApiReply, status: number, detail: string) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.equal(typeof reply.body.type, 'string');
  assert.deepEqual(reply.body, { type: reply.body.type, title: STATUS_CODES[status], status, detail });
}

for (const dialect of dialects()) {
  describe(`Environment API templates (${dialect})`, () => {
    let h: Harness;
    let token: string;
    const api = (method: string, path: string, options: Parameters<Harness['api']>[3] = {}) => h.api('demo', method, path, { token, ...options });
    const create = async (name: string, folderPath = '/', document: unknown = { name, pages: [] }) => {
      const reply = await api('POST', `templates?name=${encodeURIComponent(name)}&folderPath=${encodeURIComponent(folderPath)}`, { body: document });
      assert.equal(reply.status, 201, reply.raw);
      return reply.body as ReturnType<typeof templateItem>;
    };

    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      await h.env('other');
      token = await h.apiToken('demo');
    });
    after(() => h.close());

    it('creates a template from its raw JSON and answers the bare item with 201', async () => {
      const raw = '{ "pages": [ {"width": 100} ],\n  "title": "Flyer" }';
      const reply = await api('POST', 'templates?name=Flyer%20A4&folderPath=campaigns/2026/', { body: raw, headers: { 'content-type': 'application/json' } });
      assert.equal(reply.status, 201);
      assert.deepEqual(reply.body, templateItem({ id: reply.body.id, name: 'Flyer A4', relativePath: '/campaigns/2026' }));
      assert.match(reply.body.id, /^tpl_[0-9A-Za-z]{22}$/);
      assert.equal(reply.headers.location, `${BASE}/demo/templates/${reply.body.id}`);
      const download = await api('GET', `templates/${reply.body.id}/download`);
      assert.equal(download.raw, raw, 'stored exactly as sent');
    });

    it('answers one template wrapped, with an absolute download link', async () => {
      const created = await create('Wrapped');
      const reply = await api('GET', `templates/${created.id}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, {
        data: templateItem({ id: created.id, name: 'Wrapped' }),
        links: { download: `${BASE}/demo/templates/${created.id}/download` },
      });
    });

    it('downloads the document with a strong ETag and answers 304 to If-None-Match', async () => {
      const created = await create('Cached', '/', { a: [1, 2, 3] });
      const first = await api('GET', `templates/${created.id}/download`);
      assert.equal(first.status, 200);
      assert.match(String(first.headers['content-type']), /^application\/json/);
      assert.deepEqual(first.body, { a: [1, 2, 3] });
      const etag = String(first.headers.etag);
      assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/);
      const again = await api('GET', `templates/${created.id}/download`, { headers: { 'if-none-match': `"other", ${etag}` } });
      assert.equal(again.status, 304);
      assert.equal(again.raw, '');
      assert.equal(again.headers.etag, etag);
      const head = await api('HEAD', `templates/${created.id}/download`);
      assert.deepEqual([head.status, head.headers.etag, head.raw], [200, etag, '']);
      await api('PUT', `templates/${created.id}`, { body: { a: [4] } });
      const changed = await api('GET', `templates/${created.id}/download`, { headers: { 'if-none-match': etag } });
      assert.equal(changed.status, 200);
      assert.notEqual(changed.headers.etag, etag);
      assert.deepEqual(changed.body, { a: [4] });
    });

    it('replaces the document with PUT and a body: name and folder stay, lastModified moves', async () => {
      const created = await create('Replace me', '/x');
      h.clock.advance(5000);
      const reply = await api('PUT', `templates/${created.id}`, { body: { version: 2 } });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, templateItem({ id: created.id, name: 'Replace me', relativePath: '/x', created: START, modified: START + 5000 }));
      assert.deepEqual((await api('GET', `templates/${created.id}/download`)).body, { version: 2 });
      h.clock.set(START);
    });

    it('renames and moves with PUT ?name=&folderPath= and no body (with or without a JSON content type)', async () => {
      const created = await create('Old name', '/from', { keep: true });
      const renamed = await api('PUT', `templates/${created.id}?name=New%20name`);
      assert.deepEqual(renamed.body, templateItem({ id: created.id, name: 'New name', relativePath: '/from' }));
      const moved = await api('PUT', `templates/${created.id}?folderPath=/to/here/`, { headers: { 'content-type': 'application/json' } });
      assert.deepEqual(moved.body, templateItem({ id: created.id, name: 'New name', relativePath: '/to/here' }));
      const both = await api('PUT', `templates/${created.id}?name=Final&folderPath=`);
      assert.deepEqual(both.body, templateItem({ id: created.id, name: 'Final', relativePath: '/to/here' }), 'an empty parameter counts as absent');
      assert.deepEqual((await api('GET', `templates/${created.id}/download`)).body, { keep: true });
    });

    it('refuses PUT with both a body and a new name, and PUT with neither', async () => {
      const created = await create('Ambiguous');
      expectProblem(
        await api('PUT', `templates/${created.id}?name=Other`, { body: { a: 1 } }),
        400,
        'Send either a JSON document (replace) or name/folderPath (rename or move), not both.',
      );
      expectProblem(
        await api('PUT', `templates/${created.id}`),
        400,
        'Send a JSON document to replace the template, or name and/or folderPath to rename or move it.',
      );
    });

    it('refuses a second template of the same name in the same folder with 409, case-insensitively', async () => {
      await create('Unique', '/dup');
      const again = await api('POST', 'templates?name=UNIQUE&folderPath=/dup', { body: {} });
      expectProblem(again, 409, 'A template named "UNIQUE" already exists in folder /dup; template names are unique per folder (case-insensitive).');
      await create('Unique', '/elsewhere');
      const mover = await create('Mover', '/dup');
      expectProblem(
        await api('PUT', `templates/${mover.id}?name=unique`),
        409,
        'A template named "unique" already exists in folder /dup; template names are unique per folder (case-insensitive).',
      );
      const self = await api('PUT', `templates/${mover.id}?name=MOVER`);
      assert.equal(self.status, 200, 'a change of case of its own name is no clash');
    });

    it('lets exactly one of two concurrent creations of the same name win; the other is 409', async () => {
      const replies = await Promise.all([1, 2].map(() => api('POST', 'templates?name=Racer&folderPath=/race', { body: {} })));
      assert.deepEqual(replies.map((r) => r.status).sort(), [201, 409]);
    });

    for (const [what, query, detail] of [
      ['a name with a slash', 'name=a%2Fb', 'name must not contain "/" or "\\".'],
      ['a name with a backslash', 'name=a%5Cb', 'name must not contain "/" or "\\".'],
      ['the name ..', 'name=..', 'name must not be "." or "..".'],
      ['a name with a control character', 'name=a%07b', 'name must not contain control characters.'],
      ['a blank name', 'name=%20%20', 'name must not be empty.'],
      ['a name over 255 characters', `name=${'n'.repeat(256)}`, 'name must be at most 255 characters.'],
      ['no name', 'folderPath=/a', 'name is required: POST templates?name=…&folderPath=….'],
      ['a path climbing up', 'name=ok&folderPath=/a/../b', 'folderPath must not contain "." or ".." segments.'],
      ['a path with a backslash', 'name=ok&folderPath=%5Ca', 'folderPath must use forward slashes only ("\\" is not allowed).'],
      ['a path with an empty segment', 'name=ok&folderPath=/a//b', 'folderPath must not contain empty segments ("//").'],
      ['a path with a control character', 'name=ok&folderPath=/a%0Ab', 'folderPath must not contain control characters.'],
      ['a path over 1024 characters', `name=ok&folderPath=${`/${'p'.repeat(200)}`.repeat(6)}`, 'folderPath must be at most 1024 characters.'],
    ] as const) {
      it(`refuses ${what} with a 400 problem`, async () => {
        expectProblem(await api('POST', `templates?${query}`, { body: {} }), 400, detail);
      });
    }

    it('accepts a name of exactly 255 characters and a path of exactly 1024', async () => {
      const name = 'n'.repeat(255);
      const folder = `${`/${'p'.repeat(255)}`.repeat(4)}`;
      assert.equal(folder.length, 1024);
      const created = await create(name, folder);
      assert.equal(created.relativePath, folder);
    });

    it('refuses a body that is not JSON, not an object, or missing', async () => {
      expectProblem(await api('POST', 'templates?name=bad', { body: '{"a":', headers: { 'content-type': 'application/json' } }), 400, 'The request body is not valid JSON.');
      expectProblem(await api('POST', 'templates?name=bad', { body: [1, 2] }), 400, 'The template document must be a JSON object.');
      expectProblem(await api('POST', 'templates?name=bad', { body: 'null', headers: { 'content-type': 'application/json' } }), 400, 'The template document must be a JSON object.');
      expectProblem(await api('POST', 'templates?name=bad'), 400, 'The request body must be the template document (a JSON document).');
      expectProblem(
        await api('POST', 'templates?name=bad', { body: '{}', headers: { 'content-type': 'text/csv' } }),
        415,
        'Content-Type text/csv is not supported here: send JSON with Content-Type: application/json.',
      );
      expectProblem(await api('POST', 'templates?name=bad', { body: '{}' }), 415, 'Content-Type (none) is not supported here: send JSON with Content-Type: application/json.');
    });

    it('ignores a byte order mark before the document (RFC 8259 §8.1)', async () => {
      const reply = await api('POST', 'templates?name=bom', { body: '\uFEFF{"a":1}', headers: { 'content-type': 'application/json' } });
      assert.equal(reply.status, 201);
      assert.equal((await api('GET', `templates/${reply.body.id}/download`)).raw, '{"a":1}');
    });

    it('takes documents up to 10 MiB and answers 413 above', async () => {
      const filler = (size: number) => `{"data":"${'x'.repeat(size - 11)}"}`;
      const big = await api('POST', 'templates?name=big', { body: filler(10 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
      assert.equal(big.status, 201);
      const tooBig = await api('POST', 'templates?name=too-big', { body: filler(10 * 1024 * 1024 + 1), headers: { 'content-type': 'application/json' } });
      assert.equal(tooBig.status, 413);
    });

    it('deletes a template and answers the deleted item', async () => {
      const created = await create('Doomed');
      const reply = await api('DELETE', `templates/${created.id}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, templateItem({ id: created.id, name: 'Doomed' }));
      expectProblem(await api('GET', `templates/${created.id}`), 404, 'Template not found.');
      expectProblem(await api('GET', `templates/${created.id}/download`), 404, 'Template not found.');
      expectProblem(await api('DELETE', `templates/${created.id}`), 404, 'Template not found.');
    });

    it('needs ?force=true to delete a template that is in a collection, and then removes it from them', async () => {
      const created = await create('Collected');
      const collections = [];
      for (const name of ['Keep A', 'Keep B']) {
        const collection = (await api('POST', 'template-collections', { body: { name } })).body;
        await api('PUT', `template-collections/${collection.id}/templates/${created.id}`);
        collections.push(collection);
      }
      expectProblem(await api('DELETE', `templates/${created.id}`), 409, 'The template is in 2 template collections; delete it with ?force=true to also remove it from them.');
      expectProblem(await api('DELETE', `templates/${created.id}?force=false`), 409, 'The template is in 2 template collections; delete it with ?force=true to also remove it from them.');
      expectProblem(await api('DELETE', `templates/${created.id}?force=yes`), 400, 'force must be true or false.');
      const forced = await api('DELETE', `templates/${created.id}?force=TRUE`);
      assert.equal(forced.status, 200);
      for (const collection of collections) {
        const after = await api('GET', `template-collections/${collection.id}`);
        assert.equal(after.body.data.templateCount, 0);
      }
    });

    it('keeps environments apart: another environment sees none of these templates', async () => {
      const mine = await create('Secret plan');
      const otherToken = await h.apiToken('other');
      const other = (method: string, path: string, body?: unknown) => h.api('other', method, path, { token: otherToken, ...(body ? { body } : {}) });
      expectProblem(await other('GET', `templates/${mine.id}`), 404, 'Template not found.');
      expectProblem(await other('GET', `templates/${mine.id}/download`), 404, 'Template not found.');
      expectProblem(await other('PUT', `templates/${mine.id}`, { hacked: true }), 404, 'Template not found.');
      expectProblem(await other('DELETE', `templates/${mine.id}?force=true`), 404, 'Template not found.');
      assert.deepEqual((await other('GET', `templates?search=${mine.id}`)).body, { data: [], pageSize: 0, links: { nextPage: '' }, total: 0 });
      const wrongPath = await h.api('other', 'GET', `templates/${mine.id}`, { token });
      assert.equal(wrongPath.status, 401, "demo's token is not accepted on other's path");
      assert.equal((await api('GET', `templates/${mine.id}`)).status, 200);
    });

    const tokens = new Map<string, Promise<string>>();
    const tokenWith = (scopes: string[]) => {
      const key = scopes.join(' ');
      if (!tokens.has(key)) tokens.set(key, h.apiToken('demo', { scopes }));
      return tokens.get(key)!;
    };
    for (const [method, path, scope, body] of [
      ['GET', 'templates', 'template:list'],
      ['POST', 'templates?name=Scoped&folderPath=/scopes/{n}', 'template:write', { a: 1 }],
      ['GET', 'templates/{id}', 'template:read'],
      ['GET', 'templates/{id}/download', 'template:read'],
      ['PUT', 'templates/{id}', 'template:write', { a: 2 }],
      ['PUT', 'templates/{id}?name=Renamed', 'template:write'],
      ['DELETE', 'templates/{id}', 'template:write'],
    ] as const) {
      it(`${method} ${path} needs ${scope}: accepted with it alone, 403 with every other scope`, async () => {
        const fixture = await create(`Scope fixture ${Math.random()}`, '/scopes');
        const url = path.replace('{id}', fixture.id).replace('{n}', String(Math.random()).slice(2));
        const refused = await h.api('demo', method, url, { token: await tokenWith(SCOPES.filter((s) => s !== scope)), ...(body ? { body } : {}) });
        assert.equal(refused.status, 403);
        assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
        assert.match(String(refused.headers['www-authenticate']), new RegExp(`scope="${scope}"`));
        const accepted = await h.api('demo', method, url, { token: await tokenWith([scope]), ...(body ? { body } : {}) });
        assert.ok(accepted.status === 200 || accepted.status === 201, `${accepted.status} ${accepted.raw}`);
      });
    }
  });
}
