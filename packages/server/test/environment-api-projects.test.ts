import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, ISSUER, START, type ApiReply, type Harness } from './helpers/harness.ts';

const BASE = `${ISSUER}/grafx/api/v1/environment`;
const at = (ms: number) => new Date(ms).toISOString();

const projectItem = (fields: { id: string; name: string; template: string; created?: number; modified?: number }) => ({
  id: fields.id,
  name: fields.name,
  template: { id: fields.template },
  dateCreated: at(fields.created ?? START),
  lastModified: at(fields.modified ?? fields.created ?? START),
});

function expectProblem(reply: ApiReply, status: number, detail: string) {
  assert.equal(reply.status, status, reply.raw);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.deepEqual(reply.body, { type: reply.body.type, title: STATUS_CODES[status], status, detail });
}

for (const dialect of dialects()) {
  describe(`Environment API projects (${dialect})`, () => {
    let h: Harness;
    let token: string;
    let colleague: string;
    const api = (method: string, path: string, options: Parameters<Harness['api']>[3] = {}) => h.api('demo', method, path, { token, ...options });
    const template = async (name: string, document: unknown = { name }) =>
      (await api('POST', `templates?name=${encodeURIComponent(name)}`, { body: document })).body as { id: string; name: string };
    const project = async (templateId: string, name?: string) => {
      const reply = await api('POST', 'projects', { body: { template: { id: templateId }, ...(name !== undefined ? { name } : {}) } });
      assert.equal(reply.status, 201, reply.raw);
      return reply.body as ReturnType<typeof projectItem>;
    };

    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      await h.env('other');
      token = await h.apiToken('demo');
      colleague = await h.apiToken('demo', { name: 'Colleague' });
    });
    after(() => h.close());

    it('creates a project from a template (201, bare), named after it unless told otherwise', async () => {
      const source = await template('Brochure', { pages: [1] });
      const reply = await api('POST', 'projects', { body: { template: { id: source.id }, unknownField: true } });
      assert.equal(reply.status, 201);
      assert.deepEqual(reply.body, projectItem({ id: reply.body.id, name: 'Brochure', template: source.id }));
      assert.match(reply.body.id, /^prj_[0-9A-Za-z]{22}$/);
      assert.equal(reply.headers.location, `${BASE}/demo/projects/${reply.body.id}`);
      const named = await project(source.id, 'My brochure');
      assert.equal(named.name, 'My brochure');
      assert.deepEqual((await api('GET', `projects/${named.id}/document`)).body, { pages: [1] });
    });

    it('refuses a project of an unknown template, or without one, with 400', async () => {
      expectProblem(await api('POST', 'projects', { body: { template: { id: 'tpl_missing' } } }), 400, 'template.id does not name a template of this environment.');
      assert.equal((await api('POST', 'projects', { body: { name: 'no template' } })).status, 400);
      const source = await template('Named');
      expectProblem(await api('POST', 'projects', { body: { template: { id: source.id }, name: '' } }), 400, 'name must not be empty.');
    });

    it('reads, renames and deletes a project, all bare', async () => {
      const source = await template('Card');
      const created = await project(source.id);
      assert.deepEqual((await api('GET', `projects/${created.id}`)).body, projectItem({ id: created.id, name: 'Card', template: source.id }));
      h.clock.advance(3000);
      const renamed = await api('PATCH', `projects/${created.id}`, { body: { name: 'Card v2' } });
      assert.equal(renamed.status, 200);
      assert.deepEqual(renamed.body, projectItem({ id: created.id, name: 'Card v2', template: source.id, modified: START + 3000 }));
      const deleted = await api('DELETE', `projects/${created.id}`);
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.body, renamed.body);
      expectProblem(await api('GET', `projects/${created.id}`), 404, 'Project not found.');
      h.clock.set(START);
    });

    it('saves the document with PUT (204) and serves it with an ETag and 304', async () => {
      const source = await template('Poster', { v: 1 });
      const created = await project(source.id);
      const first = await api('GET', `projects/${created.id}/document`);
      assert.equal(first.status, 200);
      assert.deepEqual(first.body, { v: 1 });
      const saved = await api('PUT', `projects/${created.id}/document`, { body: '{"v": 2}', headers: { 'content-type': 'application/json' } });
      assert.equal(saved.status, 204);
      assert.equal(saved.raw, '');
      const second = await api('GET', `projects/${created.id}/document`, { headers: { 'if-none-match': String(first.headers.etag) } });
      assert.equal(second.status, 200);
      assert.equal(second.raw, '{"v": 2}');
      const cached = await api('GET', `projects/${created.id}/document`, { headers: { 'if-none-match': String(second.headers.etag) } });
      assert.equal(cached.status, 304);
      expectProblem(await api('PUT', `projects/${created.id}/document`), 400, 'The request body must be the project document (a JSON document).');
      expectProblem(await api('PUT', `projects/${created.id}/document`, { body: [1] }), 400, 'The project document must be a JSON object.');
      assert.deepEqual((await api('GET', `templates/${source.id}/download`)).body, { v: 1 }, 'the template is untouched');
    });

    it('keeps working after its template is deleted (it is a copy)', async () => {
      const source = await template('Ephemeral', { kept: 'yes' });
      const created = await project(source.id);
      assert.equal((await api('DELETE', `templates/${source.id}`)).status, 200);
      assert.deepEqual((await api('GET', `projects/${created.id}`)).body, projectItem({ id: created.id, name: 'Ephemeral', template: source.id }));
      assert.deepEqual((await api('GET', `projects/${created.id}/document`)).body, { kept: 'yes' });
      assert.equal((await api('PUT', `projects/${created.id}/document`, { body: { kept: 'still' } })).status, 204);
    });

    it('is invisible to another integration of the same environment (404, and absent from its list)', async () => {
      const source = await template('Mine only');
      const created = await project(source.id);
      const theirs = (method: string, path: string, body?: unknown) => h.api('demo', method, path, { token: colleague, ...(body ? { body } : {}) });
      expectProblem(await theirs('GET', `projects/${created.id}`), 404, 'Project not found.');
      expectProblem(await theirs('GET', `projects/${created.id}/document`), 404, 'Project not found.');
      expectProblem(await theirs('PUT', `projects/${created.id}/document`, { x: 1 }), 404, 'Project not found.');
      expectProblem(await theirs('PATCH', `projects/${created.id}`, { name: 'stolen' }), 404, 'Project not found.');
      expectProblem(await theirs('DELETE', `projects/${created.id}`), 404, 'Project not found.');
      assert.deepEqual((await theirs('GET', 'projects')).body, { data: [], pageSize: 0, links: { nextPage: '' }, total: 0 });
      assert.equal((await api('GET', `projects/${created.id}`)).status, 200, 'still there for its owner');
      const otherEnv = await h.apiToken('other');
      expectProblem(await h.api('other', 'GET', `projects/${created.id}`, { token: otherEnv }), 404, 'Project not found.');
    });

    it('lists its own projects with paging, search and sort', async () => {
      const owner = await h.apiToken('demo', { name: 'Lister' });
      const source = await template('Listed');
      const mine = (method: string, path: string, body?: unknown) => h.api('demo', method, path, { token: owner, ...(body ? { body } : {}) });
      const ids: string[] = [];
      for (const name of ['b', 'A', 'c']) ids.push((await mine('POST', 'projects', { template: { id: source.id }, name })).body.id);
      const first = await mine('GET', 'projects?limit=2');
      assert.deepEqual(first.body.data, [
        projectItem({ id: ids[1]!, name: 'A', template: source.id }),
        projectItem({ id: ids[0]!, name: 'b', template: source.id }),
      ]);
      assert.equal(first.body.total, 3);
      const second = await mine('GET', `projects?nextPageToken=${encodeURIComponent(first.body.links.nextPage)}`);
      assert.deepEqual(second.body, { data: [projectItem({ id: ids[2]!, name: 'c', template: source.id })], pageSize: 1, links: { nextPage: '' }, total: 3 });
      const search = await mine('GET', 'projects?search=C&sortOrder=desc');
      assert.deepEqual(search.body.data.map((p: { name: string }) => p.name), ['c']);
      const byId = await mine('GET', 'projects?sortBy=ID&sortOrder=desc');
      assert.deepEqual(byId.body.data.map((p: { id: string }) => p.id), [...ids].sort().reverse());
    });

    // One integration, tokens down-scoped from it (RFC 6749 §3.3): projects belong to the
    // integration, so the fixture made with one token is visible to the others.
    let scopedOwner: Promise<{ clientId: string; clientSecret: string }> | null = null;
    const tokens = new Map<string, Promise<string>>();
    const tokenWith = (scopes: readonly string[]) => {
      const key = scopes.join(' ');
      scopedOwner ??= h.integration('demo', { name: 'Scoped' });
      if (!tokens.has(key)) {
        tokens.set(
          key,
          scopedOwner.then(async (owner) => {
            const reply = await h.token({ grant_type: 'client_credentials', client_id: owner.clientId, client_secret: owner.clientSecret, scope: key });
            return reply.body.access_token as string;
          }),
        );
      }
      return tokens.get(key)!;
    };
    for (const [method, path, scope, body] of [
      ['GET', 'projects', 'myproject:list'],
      ['POST', 'projects', 'myproject:write', 'template'],
      ['GET', 'projects/{id}', 'myproject:read'],
      ['PATCH', 'projects/{id}', 'myproject:write', { name: 'renamed' }],
      ['DELETE', 'projects/{id}', 'myproject:write'],
      ['GET', 'projects/{id}/document', 'myproject:read'],
      ['PUT', 'projects/{id}/document', 'myproject:write', { saved: true }],
    ] as const) {
      it(`${method} ${path} needs ${scope}: accepted with it alone, 403 with every other scope`, async () => {
        const source = await template(`Scope source ${Math.random()}`);
        const fixture = (await h.api('demo', 'POST', 'projects', { token: await tokenWith(['myproject:write']), body: { template: { id: source.id } } })).body;
        const url = path.replace('{id}', fixture.id);
        const payload = body === 'template' ? { body: { template: { id: source.id } } } : body ? { body } : {};
        const refused = await h.api('demo', method, url, { token: await tokenWith(SCOPES.filter((s) => s !== scope)), ...payload });
        assert.equal(refused.status, 403);
        assert.match(String(refused.headers['www-authenticate']), /error="insufficient_scope"/);
        assert.match(String(refused.headers['www-authenticate']), new RegExp(`scope="${scope}"`));
        const accepted = await h.api('demo', method, url, { token: await tokenWith([scope]), ...payload });
        assert.ok([200, 201, 204].includes(accepted.status), `${accepted.status} ${accepted.raw}`);
      });
    }
  });
}
