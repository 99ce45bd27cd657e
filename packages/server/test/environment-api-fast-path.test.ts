import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { API_PREFIX, createHarness, type Harness } from './helpers/harness.ts';

// GET templates/{id} is answered ahead of Fastify when the token is known and the template cached
// (http/fast-paths/template-item.ts). These pin that it answers exactly what the surface would,
// and that nothing it caches outlives a change, here or on another node.
for (const dialect of dialects()) {
  describe(`GET templates/{id} on its fast path (${dialect})`, () => {
    let h: Harness;
    let token: string;
    let id: string;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      token = await h.apiToken('demo');
      id = (await h.api('demo', 'POST', 'templates?name=Flyer&folderPath=/a', { token, body: { pages: [] } })).body.id;
    });
    after(() => h.close());

    const get = (options: { token?: string; headers?: Record<string, string>; env?: string; path?: string } = {}) =>
      h.api(options.env ?? 'demo', 'GET', options.path ?? `templates/${id}`, { token: options.token ?? token, ...(options.headers ? { headers: options.headers } : {}) });

    it('answers the same bytes and headers as the surface', async () => {
      const first = await get();
      const second = await get();
      const third = await get();
      assert.equal(first.status, 200);
      assert.equal(second.raw, first.raw);
      assert.equal(third.raw, first.raw);
      assert.equal(third.headers['content-type'], first.headers['content-type']);
      assert.equal(third.headers['content-length'], first.headers['content-length']);
      assert.deepEqual(Object.keys(third.body.data), ['id', 'name', 'relativePath', 'extension', 'type', 'width', 'height', 'metaData', 'dateCreated', 'lastModified']);
      assert.equal(third.body.links.download, `${h.config.issuer}${API_PREFIX}/demo/templates/${id}/download`);
    });

    it('follows a rename, a move and a delete at once', async () => {
      await get();
      assert.equal((await h.api('demo', 'PUT', `templates/${id}?name=Poster&folderPath=/b`, { token })).status, 200);
      const moved = await get();
      assert.equal(moved.body.data.name, 'Poster');
      assert.equal(moved.body.data.relativePath, '/b');
      const other = (await h.api('demo', 'POST', 'templates?name=Gone&folderPath=/', { token, body: {} })).body.id;
      assert.equal((await get({ path: `templates/${other}` })).status, 200);
      assert.equal((await h.api('demo', 'DELETE', `templates/${other}`, { token })).status, 200);
      const gone = await get({ path: `templates/${other}` });
      assert.equal(gone.status, 404);
      assert.match(String(gone.headers['content-type']), /problem\+json/);
    });

    it('leaves every refusal to the surface: no scope, a revoked token, a browser, another environment', async () => {
      const reader = await h.apiToken('demo', { scopes: ['template:list'] });
      await get({ token: reader });
      const refused = await get({ token: reader });
      assert.equal(refused.status, 403);
      assert.match(String(refused.headers['www-authenticate']), /scope="template:read"/);

      const integration = await h.integration('demo');
      const mine = (await h.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret })).body.access_token as string;
      assert.equal((await get({ token: mine })).status, 200);
      assert.equal((await get({ token: mine })).status, 200);
      await h.app.services.integrations.revokeTokens('demo', integration.id);
      assert.equal((await get({ token: mine })).status, 401);

      const browser = await get({ headers: { origin: 'https://app.example' } });
      assert.equal(browser.status, 403, 'a write token from a browser is refused whatever path');

      await h.env('other');
      const foreign = await get({ env: 'other' });
      assert.equal(foreign.status, 401);
    });

    it('drops a template changed on another node within a second', async () => {
      const second = await h.secondNode();
      const onSecond = async () => {
        const reply = await second.inject({ method: 'GET', url: `${API_PREFIX}/demo/templates/${id}`, headers: { authorization: `Bearer ${token}` } });
        return JSON.parse(reply.body).data.name as string;
      };
      await onSecond();
      assert.equal(await onSecond(), 'Poster');
      assert.equal((await h.api('demo', 'PUT', `templates/${id}?name=Leaflet`, { token })).status, 200);
      const started = Date.now();
      while ((await onSecond()) !== 'Leaflet') {
        assert.ok(Date.now() - started < 1000, 'seen on the other node within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    });
  });
}
