import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServices, loadConfig } from '../src/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/database.ts';
import { CLI, processEnv, run, startServer, type RunningServer as ServerProcess } from './helpers/processes.ts';

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
