import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices, loadConfig } from '../src/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/database.ts';
import { CLI, cliJson, processEnv, run, startServer, type RunningServer as ServerProcess } from './helpers/processes.ts';

for (const dialect of dialects()) {
  describe(`two server processes on one database (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let servers: ServerProcess[] = [];
    let credentials: { client_id: string; client_secret: string };

    before(async () => {
      database = await createTestDatabase(dialect);
      env = processEnv(database, { PUBLIC_URL: 'http://latchkey.test' });
      const context = await createServices(loadConfig(env));
      await context.environments.create({ id: 'demo' });
      const integration = await context.integrations.create('demo', { name: 'CI', preset: 'all' });
      credentials = { client_id: integration.clientId, client_secret: integration.clientSecret };
      await context.close();
      servers = await Promise.all([startServer(env), startServer(env)]);
    });
    after(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      await database.drop();
    });

    const ask = async (server: ServerProcess) => {
      const response = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', ...credentials }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('hand concurrent callers one token', async () => {
      const replies = await Promise.all(Array.from({ length: 16 }, (_, i) => ask(servers[i % 2]!)));
      assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
      assert.equal(new Set(replies.map((r) => r.body.access_token)).size, 1);
    });

    it('keep handing out the same token after both restart', async () => {
      const before = (await ask(servers[0]!)).body.access_token;
      await Promise.all(servers.map((server) => server.stop()));
      servers = await Promise.all([startServer(env), startServer(env)]);
      assert.equal((await ask(servers[1]!)).body.access_token, before);
    });

    /** Polls `check` until it is true, failing after `ms`; returns how long it took. */
    const within = async (ms: number, check: () => Promise<boolean>) => {
      const started = Date.now();
      while (!(await check())) {
        assert.ok(Date.now() - started < ms, `not within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return Date.now() - started;
    };
    const templatesOn = (server: ServerProcess, token: string) =>
      fetch(`${server.url}/grafx/api/v1/environment/demo/templates`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

    it('a token revoked on one is refused by the other within 2 s', async () => {
      const integration = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'revoked', '--preset', 'all', '--json'], env);
      const body = JSON.stringify({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret });
      const reply = await fetch(`${servers[0]!.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const token = ((await reply.json()) as { access_token: string }).access_token;
      assert.equal(await templatesOn(servers[1]!, token), 200, 'known to the other node before');
      const revoked = await fetch(`${servers[0]!.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: integration.clientId, client_secret: integration.clientSecret }),
      });
      assert.equal(revoked.status, 200);
      assert.equal(await templatesOn(servers[0]!, token), 401, 'refused at once where it was revoked');
      await within(2000, async () => (await templatesOn(servers[1]!, token)) === 401);
    });

    it('latchkey integrations revoke-tokens, run while both serve, ends every earlier token within 2 s', async () => {
      const integration = await cliJson<{ id: string; clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'all-revoked', '--preset', 'read-only', '--json'], env);
      const body = JSON.stringify({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret });
      const token = ((await (await fetch(`${servers[1]!.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as { access_token: string }).access_token;
      assert.deepEqual(await Promise.all(servers.map((server) => templatesOn(server, token))), [200, 200]);
      await cliJson(['integrations', 'revoke-tokens', integration.id, '--env', 'demo', '--json'], env);
      await within(2000, async () => (await Promise.all(servers.map((server) => templatesOn(server, token)))).every((status) => status === 401));
    });

    it('serve --workers 2 fails its start (exit 1) when the workers cannot listen', async () => {
      const taken = servers[0]!.port;
      const started = Date.now();
      const result = await run(process.execPath, [CLI, 'serve', '--workers', '2'], { env: { ...env, PORT: String(taken), HOST: '127.0.0.1' }, timeoutMs: 30_000 });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /failed to start/);
      assert.ok(Date.now() - started < 30_000);
    });

    it('serve --workers 2 shares the port and the token', async () => {
      const cluster = await startServer(env, ['--workers', '2']);
      try {
        const replies = await Promise.all(Array.from({ length: 8 }, () => ask(cluster)));
        assert.equal(new Set(replies.map((r) => r.body.access_token)).size, 1);
        assert.equal(replies[0]!.body.access_token, (await ask(servers[0]!)).body.access_token);
      } finally {
        await cluster.stop();
      }
    });
  });
}
