import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const execFileAsync = promisify(execFile);
import { describe, it } from 'node:test';
import { ConfigError, createServices, loadConfig, normalizeUrl } from '../src/index.ts';
import { createTestDatabase, dialects } from './helpers/database.ts';

describe('configuration', () => {
  it('lists every problem at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', PUBLIC_URL: 'ftp://x', LATCHKEY_SIGNING_ALG: 'HS256', LOG_LEVEL: 'loud', LATCHKEY_MASTER_KEY: 'short', DATABASE_URL: 'mysql://x' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 6, error.problems.join('\n'));
        return true;
      },
    );
  });

  it('normalises PUBLIC_URL once: no trailing slash, no default port, and uses it as issuer and audience', () => {
    assert.equal(normalizeUrl('https://Auth.Example.com:443/'), 'https://auth.example.com');
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:80/', PORT: '9000' });
    assert.equal(config.issuer, 'http://localhost');
    assert.equal(config.audience, 'http://localhost');
    assert.equal(loadConfig({ PORT: '9000' }).issuer, 'http://localhost:9000');
  });

  it('takes LATCHKEY_AUDIENCE and extra audiences', () => {
    const config = loadConfig({ LATCHKEY_AUDIENCE: 'https://chiligrafx.com', LATCHKEY_EXTRA_AUDIENCES: 'https://a.example, https://b.example/' });
    assert.deepEqual(config.audiences, ['https://chiligrafx.com', 'https://a.example', 'https://b.example']);
  });

  it('validates TRUST_PROXY and ignores a bare ? or # in PUBLIC_URL', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'garbage!!' }), /TRUST_PROXY/);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy, ['10.0.0.0/8', 'loopback']);
    assert.equal(loadConfig({ PUBLIC_URL: 'https://example.com/a/?' }).issuer, 'https://example.com/a');
    assert.throws(() => loadConfig({ PORT: '99999' }), (error: unknown) => (error as ConfigError).problems.length === 1);
  });

  it('requires LATCHKEY_MASTER_KEY with PostgreSQL', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1/test' }), /LATCHKEY_MASTER_KEY is required/);
  });
});

describe('master key', () => {
  it('is generated into the data dir with mode 0600 for SQLite, and reused', async () => {
    const database = await createTestDatabase('sqlite');
    const config = loadConfig({ LATCHKEY_DATA_DIR: database.dataDir });
    const first = await createServices(config);
    const id = first.keyring.id;
    await first.close();
    const file = path.join(database.dataDir, 'master.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
    const second = await createServices(config);
    assert.equal(second.keyring.id, id);
    await second.close();
    await database.drop();
  });

  for (const dialect of dialects()) {
    it(`a process with another master key refuses to start with a clear message (${dialect})`, async () => {
      const database = await createTestDatabase(dialect);
      const env = { LATCHKEY_DATA_DIR: database.dataDir, ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}) };
      const first = await createServices(loadConfig({ ...env, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') }));
      await first.close();
      await assert.rejects(createServices(loadConfig({ ...env, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64') })), /master key does not match this database/);
      await database.drop();
    });

    it(`only a server adopts LATCHKEY_SIGNING_ALG; the CLI and keys rotate keep the algorithm in use (${dialect})`, async () => {
      const database = await createTestDatabase(dialect);
      const env = {
        LATCHKEY_DATA_DIR: database.dataDir,
        LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      };
      const server = await createServices(loadConfig({ ...env, LATCHKEY_SIGNING_ALG: 'EdDSA' }), { adoptSigningAlg: true });
      await server.close();
      const cli = await createServices(loadConfig(env));
      const algs = async () => (await cli.database.db.selectFrom('signing_keys').select(['alg', 'retires_at']).execute());
      assert.deepEqual(await algs(), [{ alg: 'EdDSA', retires_at: null }], 'the CLI (RS256 by default) left the key alone');
      const rotation = await cli.signingKeys.rotate();
      assert.equal(rotation.alg, 'EdDSA');
      assert.equal((await cli.signingKeys.rotate({ alg: 'ES256' })).alg, 'ES256');
      await cli.close();
      await database.drop();
    });

    it(`processes starting together never race on migrations or key generation (${dialect})`, async () => {
      const database = await createTestDatabase(dialect);
      const env = {
        ...process.env,
        LATCHKEY_DATA_DIR: database.dataDir,
        LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      };
      const cli = fileURLToPath(new URL('../../cli/bin/latchkey.mjs', import.meta.url));
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => execFileAsync(process.execPath, [cli, 'migrate', '--json'], { env })),
      );
      const { MIGRATIONS } = await import('../src/db/migrate.ts');
      for (const run of runs) assert.deepEqual(JSON.parse(run.stdout).migrations, MIGRATIONS.map((m) => m.name));
      const context = await createServices(loadConfig(env));
      const keys = await context.database.db.selectFrom('signing_keys').selectAll().execute();
      assert.equal(keys.length, 1, 'exactly one signing key');
      await context.close();
      await database.drop();
    });
  }
});
