// `latchkey users create` and `latchkey audit` in the exact forms of SPEC §5, as real processes
// against a test database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createServices, loadConfig } from '../../server/src/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from '../../server/test/helpers/database.ts';
import { CLI, cliJson, processEnv, REPO_ROOT, runCli, type RunResult } from '../../server/test/helpers/processes.ts';

const PASSWORD = 'correct horse battery staple';

/** Runs the CLI with `input` on its stdin (a pipe, as `printf … | npx latchkey …`). */
function withStdin(args: string[], input: string, env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

for (const dialect of dialects()) {
  describe(`latchkey users and audit (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;

    before(async () => {
      database = await createTestDatabase(dialect);
      env = processEnv(database);
      // Migrates, and with SQLite creates the master key the CLI processes below share.
      await cliJson(['env', 'create', 'demo', '--json'], env);
    });
    after(() => database.drop());

    it('users create reads the password from a pipe (its first line) and prints no hash', async () => {
      const created = await withStdin(['users', 'create', '--email', 'Owner@Example.com', '--owner', '--json'], `${PASSWORD}\nsecond line\n`, env);
      assert.equal(created.code, 0, created.stderr);
      const user = JSON.parse(created.stdout) as Record<string, unknown>;
      assert.deepEqual(
        { email: user.email, platformRole: user.platformRole, memberships: user.memberships },
        { email: 'owner@example.com', platformRole: 'owner', memberships: [] },
      );
      assert.match(String(user.id), /^usr_/);
      assert.doesNotMatch(created.stdout + created.stderr, /scrypt|hash|password|correct horse/i);

      const services = await createServices(loadConfig(env));
      try {
        const signedIn = await services.management.sessions.signIn('owner@example.com', PASSWORD, { address: '127.0.0.1', userAgent: null });
        assert.equal(signedIn.user.email, 'owner@example.com');
      } finally {
        await services.close();
      }

      const [member, duplicate, weak, none] = await Promise.all([
        withStdin(['users', 'create', '--email', 'member@example.com'], `${PASSWORD}\n`, env),
        withStdin(['users', 'create', '--email', 'owner@example.com', '--json'], `${PASSWORD}\n`, env),
        withStdin(['users', 'create', '--email', 'weak@example.com', '--json'], 'short\n', env),
        withStdin(['users', 'create', '--email', 'nobody@example.com'], '', env),
      ]);
      assert.equal(member.code, 0, member.stderr);
      assert.match(member.stdout, /^Created member usr_\w+\tmember@example\.com\tmember\n$/);
      assert.equal(duplicate.code, 1);
      assert.equal(JSON.parse(duplicate.stderr).error, 'conflict');
      assert.equal(weak.code, 1);
      assert.deepEqual(JSON.parse(weak.stderr).details, ['password must be 12 to 1024 characters']);
      assert.equal(none.code, 2, 'no password on stdin is a usage error');
      assert.match(none.stderr, /no password on stdin/);
      assert.equal((await runCli(['users', 'create', '--owner'], env)).code, 2, '--email is required');
    });

    it('integrations regenerate-secret --expires-at gives the new secret an expiry', async () => {
      const created = await cliJson<{ id: string }>(['integrations', 'create', '--env', 'demo', '--name', 'CI', '--preset', 'read-only', '--json'], env);
      const [regenerated, bad] = await Promise.all([
        cliJson<{ clientSecret: string; secrets: Array<{ expiresAt: string | null; expiresSoon: boolean }> }>(
          ['integrations', 'regenerate-secret', created.id, '--env', 'demo', '--expires-at', '2099-01-01T00:00:00Z', '--json'],
          env,
        ),
        runCli(['integrations', 'regenerate-secret', created.id, '--env', 'demo', '--expires-at', 'tomorrow'], env),
      ]);
      assert.match(regenerated.clientSecret, /^lk_secret_/);
      assert.deepEqual(regenerated.secrets.map((secret) => [secret.expiresAt, secret.expiresSoon]), [['2099-01-01T00:00:00.000Z', false]]);
      assert.equal(bad.code, 2);
    });

    it('audit --env --json lists the environment\'s entries, newest first, with who did what', async () => {
      const [entries, filtered, platform, unknown, usage] = await Promise.all([
        cliJson<Array<Record<string, any>>>(['audit', '--env', 'demo', '--json'], env),
        cliJson<Array<Record<string, any>>>(['audit', '--env', 'demo', '--action', 'integration.*', '--limit', '1', '--json'], env),
        cliJson<Array<Record<string, any>>>(['audit', '--platform', '--json'], env),
        runCli(['audit', '--env', 'nope', '--json'], env),
        runCli(['audit'], env),
      ]);
      assert.deepEqual(
        entries.map((entry) => entry.action),
        ['integration.secret.regenerate', 'integration.create', 'environment.create'],
      );
      for (const entry of entries) {
        assert.deepEqual(entry.actor, { type: 'cli', id: 'cli', label: null });
        assert.ok(!Number.isNaN(Date.parse(entry.at)));
        assert.equal(entry.environment, 'demo');
      }
      assert.equal(entries[0]!.changes.expiresAt, '2099-01-01T00:00:00.000Z');
      assert.deepEqual(
        filtered.map((entry) => entry.action),
        ['integration.secret.regenerate'],
      );
      assert.ok(platform.some((entry) => entry.action === 'user.create' && entry.changes.email === 'owner@example.com'));
      assert.ok(platform.some((entry) => entry.action === 'session.create'));
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /not_found/);
      assert.equal(usage.code, 2);
      assert.ok(!JSON.stringify(entries).includes('lk_secret_'));
    });
  });
}
