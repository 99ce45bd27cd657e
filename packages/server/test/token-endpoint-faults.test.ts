import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { SCOPES } from '@latchkey/contract';
import { isDatabaseUnavailable } from '../src/infra/database-health.ts';
import { IntegrationsRepository } from '../src/modules/integrations/integrations.repository.ts';
import { MAX_REUSABLE_ROWS_PER_INTEGRATION } from '../src/modules/tokens/token-issuer.ts';
import { createTestDatabase, dialects, POSTGRES_URL } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { processEnv, REPO_ROOT, startServer } from './helpers/processes.ts';

/** Sends raw bytes on a fresh socket and collects what comes back until the server closes or `ms` pass. */
function raw(port: number, bytes: string, ms = 2000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, ms);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

const credsOf = (i: { clientId: string; clientSecret: string }) => ({ grant_type: 'client_credentials', client_id: i.clientId, client_secret: i.clientSecret });

for (const dialect of dialects()) {
  describe(`the token endpoint under faults (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
    });
    after(() => h.close());

    it('accepts JSON with a UTF-8 byte order mark (RFC 8259 §8.1)', async () => {
      const integration = await h.integration('demo');
      const reply = await h.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: `\uFEFF${JSON.stringify(credsOf(integration))}` });
      assert.equal(reply.statusCode, 200);
    });

    it('keeps at most a bounded number of stored reusable tokens per integration', async () => {
      const integration = await h.integration('demo');
      // Every distinct scope subset is a reusable row: ask for many.
      for (let i = 1; i <= MAX_REUSABLE_ROWS_PER_INTEGRATION + 16; i++) {
        const scope = SCOPES.filter((_, bit) => (i >> bit) & 1).join(' ');
        assert.equal((await h.token({ ...credsOf(integration), scope })).status, 200);
      }
      const rows = await h.app.services.database.db.selectFrom('reusable_tokens').select('cache_key').where('integration_id', '=', integration.id).execute();
      assert.equal(rows.length, MAX_REUSABLE_ROWS_PER_INTEGRATION);
    });

    it('looks a client up with one query, known or unknown', async () => {
      const integration = await h.integration('demo');
      let queries = 0;
      const counted = h.app.services.database.db.withPlugin({
        transformQuery: (args) => {
          queries++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const repository = new IntegrationsRepository(counted);
      const found = await repository.findForAuthentication(integration.clientId);
      assert.equal(queries, 1);
      assert.equal(found?.secrets.length, 1);
      assert.equal(await repository.findForAuthentication('0'.repeat(32)), undefined);
      assert.equal(queries, 2);
    });

    it('tells a database outage from a bug', () => {
      assert.ok(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
      assert.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
      assert.ok(isDatabaseUnavailable(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })));
      assert.ok(!isDatabaseUnavailable(new TypeError('x is undefined')));
      assert.ok(!isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' })));
    });
  });

  describe(`the HTTP server's edges (${dialect})`, () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    let drop: () => Promise<void>;
    before(async () => {
      const database = await createTestDatabase(dialect);
      drop = () => database.drop();
      server = await startServer(processEnv(database));
    });
    after(async () => {
      await server.stop();
      await drop();
    });

    it('answers an unknown Expect with 417, not cached', async () => {
      const { text } = await raw(server.port, 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nContent-Length: 2\r\n\r\n{}');
      assert.match(text, /^HTTP\/1\.1 417/);
      assert.match(text, /cache-control: no-store/i);
    });

    it('answers an undecodable path in the problem shape, not cached', async () => {
      const { text } = await raw(server.port, 'GET /%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.match(text, /^HTTP\/1\.1 400/);
      assert.match(text, /cache-control: no-store/i);
      assert.match(text, /"error":"validation_failed"/);
    });

    it('answers 405 at once and closes, without draining an endless body', async () => {
      const started = Date.now();
      const { text, closed } = await raw(server.port, 'PUT /oauth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 5000);
      assert.match(text, /^HTTP\/1\.1 405/);
      assert.match(text, /allow: POST/i);
      assert.ok(closed && Date.now() - started < 2000, 'the connection is closed promptly');
    });
  });
}

describe('a foreign SQLite write lock', () => {
  it('never freezes the server: reused tokens keep coming, a mint waits for the lock without a 500', async () => {
    const database = await createTestDatabase('sqlite');
    const h = await createHarness('sqlite', { database });
    try {
      await h.env('demo');
      const busy = await h.integration('demo');
      const fresh = await h.integration('demo');
      assert.equal((await h.token(credsOf(busy))).status, 200);
      // Another process takes the write lock and holds it for 1.5 s.
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('begin immediate'); process.stdout.write('locked\\n'); setTimeout(() => { db.exec('commit'); process.exit(0); }, 1500);`,
          path.join(database.dataDir, 'latchkey.db'),
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const mint = h.token(credsOf(fresh));
      const reusedTimes: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = Date.now();
        assert.equal((await h.token(credsOf(busy))).status, 200);
        reusedTimes.push(Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const minted = await mint;
      delay.disable();
      assert.equal(minted.status, 200, JSON.stringify(minted.body));
      assert.ok(Math.max(...reusedTimes) < 200, `reused tokens answered promptly (${reusedTimes.join(',')} ms)`);
      assert.ok(delay.max / 1e6 < 250, `the event loop never stalled long (max ${(delay.max / 1e6).toFixed(0)} ms)`);
      await exited;
    } finally {
      await h.close();
      await database.drop();
    }
  });
});

if (dialects().includes('postgres')) {
  describe('a PostgreSQL outage', () => {
    it('answers 503 with Retry-After and the RFC 6749 body, logs the outage once and its end once', async () => {
      // A TCP proxy in front of PostgreSQL: closing it is the outage.
      const target = new URL(POSTGRES_URL);
      let open = true;
      const sockets = new Set<net.Socket>();
      const proxy = net.createServer((client) => {
        if (!open) return client.destroy();
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on('error', close).on('close', close);
        upstream.on('error', close).on('close', close);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
      const port = (proxy.address() as net.AddressInfo).port;
      const database = await createTestDatabase('postgres');
      const proxied = new URL(database.databaseUrl!);
      proxied.host = `127.0.0.1:${port}`;
      const h = await createHarness('postgres', { database, env: { DATABASE_URL: proxied.toString(), LATCHKEY_MASTER_KEY: processEnv(database).LATCHKEY_MASTER_KEY! } });
      try {
        await h.env('demo');
        const integration = await h.integration('demo');
        assert.equal((await h.token(credsOf(integration))).status, 200);
        open = false;
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => setTimeout(resolve, 1200));
        const replies = await Promise.all(Array.from({ length: 5 }, () => h.token(credsOf(integration))));
        for (const reply of replies) {
          assert.equal(reply.status, 503, JSON.stringify(reply.body));
          assert.equal(reply.body.error, 'temporarily_unavailable');
          assert.ok(Number(reply.headers['retry-after']) > 0);
          assert.equal(reply.headers['cache-control'], 'no-store');
        }
        open = true;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const back = await h.token(credsOf(integration));
        assert.equal(back.status, 200, JSON.stringify(back.body) + h.logs().slice(-3000));
        const lines = h.logs().split('\n').filter(Boolean);
        assert.equal(lines.filter((line) => line.includes('database unavailable')).length, 1, h.logs());
        assert.equal(lines.filter((line) => line.includes('database available again')).length, 1);
        assert.ok(!h.logs().includes('"stack"'), 'no stack per request');
      } finally {
        await h.close();
        proxy.close();
      }
    });
  });
}
