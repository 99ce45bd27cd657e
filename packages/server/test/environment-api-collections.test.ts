import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, ISSUER, START, type ApiReply, type Harness } from './helpers/harness.ts';

const BASE = `${ISSUER}/grafx/api/v1/environment`;
const at = (ms: number) => new Date(ms).toISOString();

const collectionItem = (fields: { id: string; name: string; description?: string; templateCount?: number; created?: number; modified?: number }) => ({
  id: fields.id,
  name: fields.name,
  description: fields.description ?? '',
  templateCount: fields.templateCount ?? 0,
  dateCreated: at(fields.created ?? START),
  lastModified: at(fields.modified ?? fields.created ?? START),
});

function expectProblem(reply: ApiReply, status: number, detail: string) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(reply.body, { type: reply.body.type, title: STATUS_CODES[status], status, detail });
}

for (const dialect of dialects()) {
  describe(`Environment API template collections (${dialect})`, () => {
    let h: Harness;
    let token: string;
    const api = (method: string, path: string, options: Parameters<Harness['api']>[3] = {}) => h.api('demo', method, path, { token, ...options });
    const template = async (name: string, folderPath = '/') =>
      (await api('POST', `templates?name=${encodeURIComponent(name)}&folderPath=${encodeURIComponent(folderPath)}`, { body: { name } })).body as { id: string };
    const collection = async (name: string, description?: string) => {
      const reply = await api('POST', 'template-collections', { body: { name, ...(description !== undefined ? { description } : {}) } });
      assert.equal(reply.status, 201, reply.raw);
      return reply.body as ReturnType<typeof collectionItem>;
    };

    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      await h.env('other');
      token = await h.apiToken('demo');
    });
    after(() => h.close());

    it('creates a collection (201, bare) and ignores unknown fields, as GraFx does', async () => {
      const reply = await api('POST', 'template-collections', { body: { name: 'Summer', description: 'Beach\nthings', colour: 'blue' } });
      assert.equal(reply.status, 201);
      assert.deepEqual(reply.body, collectionItem({ id: reply.body.id, name: 'Summer', description: 'Beach\nthings' }));
      assert.match(reply.body.id, /^tcl_[0-9A-Za-z]{22}$/);
      assert.equal(reply.headers.location, `${BASE}/demo/template-collections/${reply.body.id}`);
    });

    it('refuses a duplicate name with 400, case-insensitively, on create and on rename', async () => {
      await collection('Autumn');
      expectProblem(await api('POST', 'template-collections', { body: { name: 'AUTUMN' } }), 400, 'A template collection named "AUTUMN" already exists (names are case-insensitive).');
      const winter = await collection('Winter');
      expectProblem(await api('PATCH', `template-collections/${winter.id}`, { body: { name: 'autumn' } }), 400, 'A template collection named "autumn" already exists (names are case-insensitive).');
      assert.equal((await api('PATCH', `template-collections/${winter.id}`, { body: { name: 'WINTER' } })).status, 200, 'its own name in another case');
    });

    it('refuses bad names and descriptions with 400', async () => {
      expectProblem(await api('POST', 'template-collections', { body: { name: ' ' } }), 400, 'name must not be empty.');
      expectProblem(await api('POST', 'template-collections', { body: { name: 'a\u0000b' } }), 400, 'name must not contain control characters.');
      expectProblem(await api('POST', 'template-collections', { body: { name: 'x'.repeat(256) } }), 400, 'name must be at most 255 characters.');
      expectProblem(await api('POST', 'template-collections', { body: { name: 'ok', description: 'd'.repeat(1001) } }), 400, 'description must be at most 1000 characters.');
      assert.equal((await api('POST', 'template-collections', { body: { description: 'no name' } })).status, 400);
      assert.equal((await api('POST', 'template-collections', { body: '{', headers: { 'content-type': 'application/json' } })).status, 400);
    });

    it('answers one collection wrapped, with a link to its templates', async () => {
      const created = await collection('Wrapped', 'one');
      const reply = await api('GET', `template-collections/${created.id}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, {
        data: collectionItem({ id: created.id, name: 'Wrapped', description: 'one' }),
        links: { templates: `${BASE}/demo/template-collections/${created.id}/templates` },
      });
    });

    it('PATCH changes only what it is given', async () => {
      const created = await collection('Patchable', 'first');
      h.clock.advance(1000);
      const renamed = await api('PATCH', `template-collections/${created.id}`, { body: { name: 'Patched' } });
      assert.deepEqual(renamed.body, collectionItem({ id: created.id, name: 'Patched', description: 'first', modified: START + 1000 }));
      const described = await api('PATCH', `template-collections/${created.id}`, { body: { description: null } });
      assert.deepEqual(described.body, collectionItem({ id: created.id, name: 'Patched', description: '', modified: START + 1000 }));
      h.clock.set(START);
    });

    it('adds templates idempotently, removes them, and counts them', async () => {
      const created = await collection('Members');
      const a = await template('Member A');
      const b = await template('Member B', '/sub');
      h.clock.advance(2000);
      const added = await api('PUT', `template-collections/${created.id}/templates/${a.id}`);
      assert.deepEqual(added.body, collectionItem({ id: created.id, name: 'Members', templateCount: 1, modified: START + 2000 }));
      h.clock.advance(2000);
      const again = await api('PUT', `template-collections/${created.id}/templates/${a.id}`);
      assert.deepEqual(again.body, added.body, 'adding twice changes nothing');
      await api('PUT', `template-collections/${created.id}/templates/${b.id}`);
      assert.equal((await api('GET', `template-collections/${created.id}`)).body.data.templateCount, 2);

      const listed = await api('GET', `template-collections/${created.id}/templates?includeItemsFromSubfolders=true&sortBy=name`);
      assert.deepEqual(listed.body.data.map((item: { id: string }) => item.id), [a.id, b.id]);
      assert.equal(listed.body.total, 2);

      const removed = await api('DELETE', `template-collections/${created.id}/templates/${a.id}`);
      assert.deepEqual(removed.body, collectionItem({ id: created.id, name: 'Members', templateCount: 1, modified: START + 4000 }));
      expectProblem(await api('DELETE', `template-collections/${created.id}/templates/${a.id}`), 404, 'The template is not in this collection.');
      expectProblem(await api('PUT', `template-collections/${created.id}/templates/tpl_nope`), 404, 'Template not found.');
      expectProblem(await api('PUT', `template-collections/tcl_nope/templates/${a.id}`), 404, 'Template collection not found.');
      h.clock.set(START);
    });

    it('deletes a collection (200 with it) and keeps its templates', async () => {
      const created = await collection('Temporary');
      const kept = await template('Survivor');
      await api('PUT', `template-collections/${created.id}/templates/${kept.id}`);
      const reply = await api('DELETE', `template-collections/${created.id}`);
      assert.deepEqual(reply.body, collectionItem({ id: created.id, name: 'Temporary', templateCount: 1 }));
      expectProblem(await api('GET', `template-collections/${created.id}`), 404, 'Template collection not found.');
      expectProblem(await api('GET', `template-collections/${created.id}/templates`), 404, 'Template collection not found.');
      assert.equal((await api('GET', `templates/${kept.id}`)).status, 200);
      assert.equal((await api('DELETE', `templates/${kept.id}`)).status, 200, 'no longer in any collection: no force needed');
    });

    it('lists collections with paging, search and both sort orders', async () => {
      const names = ['list-b', 'List-a', 'list-c'];
      const created = [];
      for (const name of names) created.push(await collection(name));
      const byName = await api('GET', 'template-collections?search=LIST-&limit=2&sortBy=Name');
      assert.deepEqual(byName.body.data.map((c: { name: string }) => c.name), ['List-a', 'list-b']);
      assert.equal(byName.body.total, 3);
      assert.equal(byName.body.pageSize, 2);
      const rest = await api('GET', byName.body.links.nextPage.replace(`${BASE}/demo/`, ''));
      assert.deepEqual(rest.body, { data: [collectionItem({ id: created[2]!.id, name: 'list-c' })], pageSize: 1, links: { nextPage: '' }, total: 3 });
      const desc = await api('GET', 'template-collections?search=list-&sortOrder=DESC');
      assert.deepEqual(desc.body.data.map((c: { name: string }) => c.name), ['list-c', 'list-b', 'List-a']);
      const byId = await api('GET', `template-collections?search=${created[1]!.id}`);
      assert.deepEqual(byId.body.data.map((c: { id: string }) => c.id), [created[1]!.id]);
      expectProblem(await api('GET', 'template-collections?folder=/a'), 400, 'folder does not apply to this resource: it has no folders.');
      expectProblem(await api('GET', 'template-collections?sortBy=relativePath'), 400, 'sortBy must be name or id: this resource has no folders.');
    });

    it('keeps environments apart', async () => {
      const mine = await collection('Private set');
      const otherToken = await h.apiToken('other');
      const other = (method: string, path: string, body?: unknown) => h.api('other', method, path, { token: otherToken, ...(body ? { body } : {}) });
      expectProblem(await other('GET', `template-collections/${mine.id}`), 404, 'Template collection not found.');
      expectProblem(await other('PATCH', `template-collections/${mine.id}`, { name: 'x' }), 404, 'Template collection not found.');
      expectProblem(await other('DELETE', `template-collections/${mine.id}`), 404, 'Template collection not found.');
      assert.equal((await other('GET', 'template-collections')).body.total, 0);
      const theirs = (await other('POST', 'templates?name=theirs', { a: 1 })).body;
      expectProblem(await api('PUT', `template-collections/${mine.id}/templates/${theirs.id}`), 404, 'Template not found.');
      assert.equal((await other('POST', 'template-collections', { name: 'Private set' })).status, 201, 'names are unique per environment only');
    });

    const tokens = new Map<string, Promise<string>>();
    const tokenWith = (scopes: string[]) => {
      const key = scopes.join(' ');
      if (!tokens.has(key)) tokens.set(key, h.apiToken('demo', { scopes }));
      return tokens.get(key)!;
    };
    for (const [method, path, scope, body] of [
      ['GET', 'template-collections', 'template_collection:list'],
      ['POST', 'template-collections', 'template_collection:write', { name: 'Scoped {n}' }],
      ['GET', 'template-collections/{id}', 'template_collection:read'],
      ['GET', 'template-collections/{id}/templates', 'template_collection:read'],
      ['PATCH', 'template-collections/{id}', 'template_collection:write', { description: 'changed' }],
      ['DELETE', 'template-collections/{id}', 'template_collection:write'],
      ['PUT', 'template-collections/{id}/templates/{template}', 'template_collection:write'],
      ['DELETE', 'template-collections/{id}/templates/{member}', 'template_collection:write'],
    ] as const) {
      it(`${method} ${path} needs ${scope}: accepted with it alone, 403 with every other scope`, async () => {
        const n = String(Math.random()).slice(2);
        const fixture = await collection(`Scope fixture ${n}`);
        const member = await template(`Member ${n}`);
        const free = await template(`Free ${n}`);
        await api('PUT', `template-collections/${fixture.id}/templates/${member.id}`);
        const url = path.replace('{id}', fixture.id).replace('{template}', free.id).replace('{member}', member.id);
        const payload = body ? { body: { ...body, ...('name' in body ? { name: body.name.replace('{n}', n) } : {}) } } : {};
        const refused = await h.api('demo', method, url, { token: await tokenWith(SCOPES.filter((s) => s !== scope)), ...payload });
        assert.equal(refused.status, 403);
        assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
        assert.match(String(refused.headers['www-authenticate']), new RegExp(`scope="${scope}"`));
        const accepted = await h.api('demo', method, url, { token: await tokenWith([scope]), ...payload });
        assert.ok(accepted.status === 200 || accepted.status === 201, `${accepted.status} ${accepted.raw}`);
      });
    }
  });
}
