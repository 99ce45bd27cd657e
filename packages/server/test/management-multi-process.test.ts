// A change made over the management API reaches every node like a CLI change (SPEC §2, §3): two
// real `latchkey serve` processes on one database.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices, loadConfig } from '../src/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/database.ts';
import { processEnv, startServer, type RunningServer } from './helpers/processes.ts';

for (const dialect of dialects()) {
  describe(`the management API on two server processes (${dialect})`, () => {
    let database: TestDatabase;
    let servers: RunningServer[] = [];
    let pat: string;
    let credentials: { client_id: string; client_secret: string; id: string };

    before(async () => {
      database = await createTestDatabase(dialect);
      const env = processEnv(database, { PUBLIC_URL: 'http://latchkey.test' });
      const services = await createServices(loadConfig(env));
      try {
        await services.environments.create({ id: 'demo' });
        const owner = await services.management.users.create({ email: 'owner@example.com', password: 'correct horse battery staple', platformRole: 'owner' });
        pat = (await services.management.pats.create(owner.id, { name: 'script', access: 'read-write' }, { type: 'user', id: owner.id })).token;
        const integration = await services.integrations.create('demo', { name: 'CI', preset: 'all' });
        credentials = { client_id: integration.clientId, client_secret: integration.clientSecret, id: integration.id };
      } finally {
        await services.close();
      }
      servers = await Promise.all([startServer(env), startServer(env)]);
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database.drop();
    });

    const ask = async (server: RunningServer) =>
      (await fetch(`${server.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials', ...credentials }) })).status;
    const api = (server: RunningServer, method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${pat}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });

    it('an integration disabled over HTTP on one is refused by the other within 1 s', async () => {
      assert.deepEqual(await Promise.all(servers.map(ask)), [200, 200], 'both know it, enabled');
      const disabled = await api(servers[0]!, 'PATCH', `/environments/demo/integrations/${credentials.id}`, { disabled: true });
      assert.equal(disabled.status, 200);
      const changedAt = Date.now();
      assert.equal(await ask(servers[0]!), 401, 'at once where it was changed');
      while ((await ask(servers[1]!)) !== 401) {
        assert.ok(Date.now() - changedAt < 1000, 'not refused by the other node within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const audit = await api(servers[1]!, 'GET', '/environments/demo/audit?action=integration.update');
      const [row] = ((await audit.json()) as { data: Array<{ actor: { type: string; label: string } }> }).data;
      assert.equal(row!.actor.type, 'pat');
      assert.equal(row!.actor.label, 'script (owner@example.com)');
    });
  });
}
