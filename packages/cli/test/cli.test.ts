// Black-box tests of the `latchkey` CLI in the exact forms scripts rely on (SPEC §5): every case
// spawns `node packages/cli/bin/latchkey.mjs …` against a test database, and the token cases
// talk to a real `latchkey serve` process on the same database. Each CLI process costs most of
// a second, so independent calls run side by side and each test checks several things.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dialects, type TestDatabase } from '../../server/test/helpers/database.ts';
import { cliJson, processEnv, runCli, startServer, type RunningServer } from '../../server/test/helpers/processes.ts';

const ALL_SCOPES = [
  'font:list', 'font:read', 'font:write', 'media:list', 'media:read', 'media:write',
  'myproject:list', 'myproject:read', 'myproject:write', 'output:animated', 'output:static',
  'template_collection:list', 'template_collection:read', 'template_collection:write',
  'template:list', 'template:read', 'template:write',
];
const CLIENT_ID = /^[0-9A-Za-z]{32}$/;
const CLIENT_SECRET = /^lk_secret_[0-9A-Za-z]{49}$/;

interface Integration {
  id: string;
  environment: string;
  name: string;
  description: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  disabled: boolean;
  tokensNotBefore: string | null;
  secrets: Array<{ id: string; hint: string; expiresAt: string | null }>;
}

interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

function assertNoSecret(stdout: string, what: string): void {
  assert.ok(!stdout.includes('clientSecret'), `${what} must not print clientSecret`);
  assert.ok(!stdout.includes('lk_secret_'), `${what} must not print a secret`);
}

for (const dialect of dialects()) {
  describe(`latchkey CLI (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let server: RunningServer | undefined;
    const cli = (...args: string[]) => runCli(args, env);
    const json = <T = Integration>(...args: string[]) => cliJson<T>(args, env);

    let full: Integration; // --preset all, then updated, regenerated, revoked and deleted
    let narrow: Integration; // --scopes "template:read template:list"
    let forDisable: Integration; // token endpoint: disabling takes effect within 1 s
    let forRevoke: Integration; // token endpoint: revoke-tokens ends reuse

    async function requestToken(clientId: string, clientSecret: string): Promise<TokenReply> {
      const response = await fetch(`${server!.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    /**
     * Asks for tokens until `done` holds, for at most 1.5 s after `since` (the moment the CLI
     * process that made the change exited). Returns the reply that satisfied it and when.
     */
    async function untilWithin(since: number, ask: () => Promise<TokenReply>, done: (reply: TokenReply) => boolean) {
      const seen: number[] = [];
      while (true) {
        const reply = await ask();
        const elapsed = Date.now() - since;
        seen.push(reply.status);
        assert.ok(elapsed <= 1500, `no effect 1.5 s after the CLI change (statuses seen: ${seen.join(',')}; last: ${JSON.stringify(reply.body)})`);
        if (done(reply)) return { reply, elapsed, attempts: seen.length };
        await sleep(50);
      }
    }

    before(async () => {
      database = await createTestDatabase(dialect);
      env = processEnv(database);
      // The server first: with SQLite it also creates the data dir's master key the CLI shares.
      server = await startServer(env);
    });

    after(async () => {
      await server?.stop();
      await database?.drop();
    });

    it('env create, env list, and a bad environment id', async () => {
      const created = await json<Record<string, unknown>>('env', 'create', 'demo', '--display-name', 'Demo', '--json');
      assert.equal(created.id, 'demo');
      assert.equal(created.displayName, 'Demo');
      assert.equal(created.tokenTtlSeconds, 86400);
      assert.equal(created.tokenReuseWindowSeconds, 3600);

      const [list, bad] = await Promise.all([
        json<Array<Record<string, unknown>>>('env', 'list', '--json'),
        cli('env', 'create', 'Not_A_Slug', '--json'),
      ]);
      assert.ok(Array.isArray(list));
      assert.deepEqual(
        list.map((e) => [e.id, e.displayName]),
        [['demo', 'Demo']],
      );
      assert.notEqual(bad.code, 0);
      assert.equal(bad.stdout, '');
      assert.match(bad.stderr, /environment id|id must/i);
    });

    it('keys rotate and migrate', async () => {
      // One after the other, and before any token request (so the server has no last-used batch
      // to write meanwhile): on SQLite, `keys rotate` reads then writes in a deferred transaction
      // and fails with "database is locked" when another process writes in between.
      const migrated = await json<{ dialect: string; migrations: string[] }>('migrate', '--json');
      const rotated = await json<{ kid: string; alg: string; activatesAt: string; retired: unknown[] }>('keys', 'rotate', '--json');
      assert.equal(typeof rotated.kid, 'string');
      assert.equal(rotated.alg, 'RS256');
      assert.ok(!Number.isNaN(Date.parse(rotated.activatesAt)));
      assert.ok(Array.isArray(rotated.retired) && rotated.retired.length >= 1);
      assert.equal(migrated.dialect, dialect);
      assert.ok(migrated.migrations.length >= 1);

      // The new key is published at once (the server follows the CLI's change).
      const since = Date.now();
      while (true) {
        const jwks = (await (await fetch(`${server!.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
        if (jwks.keys.some((key) => key.kid === rotated.kid)) break;
        assert.ok(Date.now() - since <= 1500, 'the rotated key is published within 1 s');
        await sleep(50);
      }
    });

    it('integrations create with --preset all and with --scopes; refusals', async () => {
      const [a, b, c, d, unknownScope, unknownEnv] = await Promise.all([
        json('integrations', 'create', '--env', 'demo', '--name', 'CI', '--description', 'Builds “templates” ✓', '--preset', 'all', '--json'),
        json('integrations', 'create', '--env', 'demo', '--name', 'CI', '--scopes', 'template:read template:list', '--json'),
        json('integrations', 'create', '--env', 'demo', '--name', 'Disable me', '--preset', 'all', '--json'),
        json('integrations', 'create', '--env', 'demo', '--name', 'Revoke me', '--preset', 'read-only', '--json'),
        cli('integrations', 'create', '--env', 'demo', '--name', 'CI', '--scopes', 'template:read template:fly', '--json'),
        cli('integrations', 'create', '--env', 'nope', '--name', 'CI', '--preset', 'all', '--json'),
      ]);
      full = a;
      narrow = b;
      forDisable = c;
      forRevoke = d;

      for (const created of [a, b, c, d]) {
        assert.equal(typeof created.id, 'string');
        assert.ok(created.id.length > 0);
        assert.match(created.clientId, CLIENT_ID);
        assert.match(created.clientSecret ?? '', CLIENT_SECRET);
        assert.equal(created.environment, 'demo');
        assert.equal(created.disabled, false);
        assert.equal(created.secrets.length, 1);
      }
      assert.equal(new Set([a, b, c, d].map((i) => i.clientId)).size, 4);
      assert.equal(new Set([a, b, c, d].map((i) => i.clientSecret)).size, 4);
      assert.equal(a.name, 'CI');
      assert.equal(a.description, 'Builds “templates” ✓');
      assert.deepEqual(a.scopes, ALL_SCOPES);
      assert.deepEqual([...b.scopes].sort(), ['template:list', 'template:read']);
      assert.deepEqual(d.scopes, ALL_SCOPES.filter((s) => s.endsWith(':list') || s.endsWith(':read')));

      assert.notEqual(unknownScope.code, 0);
      assert.equal(unknownScope.stdout, '');
      assert.match(unknownScope.stderr, /template:fly/);
      assert.match(unknownScope.stderr, /scope/i);
      assert.notEqual(unknownEnv.code, 0);
      assert.match(unknownEnv.stderr, /nope/);
    });

    it('integrations list and show (by id and by clientId) never print a secret', async () => {
      const [list, byId, byClientId] = await Promise.all([
        cli('integrations', 'list', '--env', 'demo', '--json'),
        cli('integrations', 'show', full.id, '--env', 'demo', '--json'),
        cli('integrations', 'show', full.clientId, '--env', 'demo', '--json'),
      ]);
      for (const [result, what] of [[list, 'list'], [byId, 'show ID'], [byClientId, 'show CLIENT_ID']] as const) {
        assert.equal(result.code, 0, result.stderr);
        assertNoSecret(result.stdout, what);
      }
      const listed = JSON.parse(list.stdout) as Integration[];
      assert.ok(Array.isArray(listed));
      assert.deepEqual(listed.map((i) => i.id).sort(), [full, narrow, forDisable, forRevoke].map((i) => i.id).sort());
      for (const item of listed) assert.match(item.clientId, CLIENT_ID);

      const shown = JSON.parse(byId.stdout) as Integration;
      assert.deepEqual(JSON.parse(byClientId.stdout), shown);
      const { clientSecret: _secret, ...withoutSecret } = full;
      assert.deepEqual(shown, withoutSecret, 'show answers what create did, minus the secret');
      assert.equal(shown.disabled, false);
      assert.deepEqual(shown.scopes, ALL_SCOPES);
    });

    it('integrations update: name, scopes, --disable, then --enable', async () => {
      const before = Date.now();
      const updated = await json('integrations', 'update', full.id, '--env', 'demo', '--name', 'Renamed', '--scopes', 'media:read media:list', '--disable', '--json');
      assert.equal(updated.id, full.id);
      assert.equal(updated.name, 'Renamed');
      assert.deepEqual([...updated.scopes].sort(), ['media:list', 'media:read']);
      assert.equal(updated.disabled, true);
      assert.equal(updated.description, full.description);
      // Disabling and removing scopes revoke earlier tokens (SPEC §2).
      assert.ok(updated.tokensNotBefore && Date.parse(updated.tokensNotBefore) > before);
      assertNoSecret(JSON.stringify(updated), 'update');

      const enabled = await json('integrations', 'update', full.clientId, '--env', 'demo', '--enable', '--json');
      assert.equal(enabled.disabled, false);
      assert.equal(enabled.name, 'Renamed');
      assert.deepEqual([...enabled.scopes].sort(), ['media:list', 'media:read']);
    });

    it('regenerate-secret with a grace period: a new secret, shown once; both work meanwhile', async () => {
      const regenerated = await json('integrations', 'regenerate-secret', full.id, '--env', 'demo', '--grace-seconds', '60', '--json');
      assert.equal(regenerated.id, full.id);
      assert.match(regenerated.clientSecret ?? '', CLIENT_SECRET);
      assert.notEqual(regenerated.clientSecret, full.clientSecret);
      assert.equal(regenerated.secrets.length, 2, 'the previous secret is listed until its grace period ends');
      assert.equal(regenerated.secrets.filter((s) => s.expiresAt !== null).length, 1);

      const [shown, oldSecret, newSecret] = await Promise.all([
        cli('integrations', 'show', full.id, '--env', 'demo', '--json'),
        requestToken(full.clientId, full.clientSecret!),
        requestToken(full.clientId, regenerated.clientSecret!),
      ]);
      assertNoSecret(shown.stdout, 'show after regenerate-secret');
      assert.equal(oldSecret.status, 200, JSON.stringify(oldSecret.body));
      assert.equal(newSecret.status, 200, JSON.stringify(newSecret.body));
      full = { ...full, clientSecret: regenerated.clientSecret! };
    });

    it('revoke-tokens sets tokensNotBefore; delete needs --yes; a deleted integration is gone', async () => {
      const before = Date.now();
      const [revoked, refused] = await Promise.all([
        json('integrations', 'revoke-tokens', full.id, '--env', 'demo', '--json'),
        cli('integrations', 'delete', full.id, '--env', 'demo'),
      ]);
      assert.equal(revoked.id, full.id);
      assert.ok(revoked.tokensNotBefore, 'tokensNotBefore is set');
      assert.ok(Date.parse(revoked.tokensNotBefore) > before && Date.parse(revoked.tokensNotBefore) <= Date.now() + 2000);

      assert.notEqual(refused.code, 0, 'delete without --yes refuses');
      assert.match(refused.stderr, /--yes/);

      // Succeeds, so the refused delete left the integration in place (by clientId this time).
      const deleted = await cli('integrations', 'delete', full.clientId, '--env', 'demo', '--yes');
      assert.equal(deleted.code, 0, deleted.stderr);
      const deletedAt = Date.now();
      const [show, reply] = await Promise.all([
        cli('integrations', 'show', full.id, '--env', 'demo'),
        // The running server stops accepting its credentials within 1 s of the change.
        untilWithin(deletedAt, () => requestToken(full.clientId, full.clientSecret!), (r) => r.status === 401).then((r) => r.reply),
      ]);
      assert.notEqual(show.code, 0);
      assert.equal(show.stdout, '');
      assert.match(show.stderr, /not found/i);
      assert.ok(show.stderr.includes(full.id));
      assert.equal(reply.body.error, 'invalid_client');
    });

    it('token against a running server: the token response JSON; errors to stderr', async () => {
      const [ok, wrong] = await Promise.all([
        cli('token', '--url', server!.url, '--client-id', forRevoke.clientId, '--client-secret', forRevoke.clientSecret!, '--json'),
        cli('token', '--url', server!.url, '--client-id', forRevoke.clientId, '--client-secret', mistyped(forRevoke.clientSecret!)),
      ]);
      assert.equal(ok.code, 0, ok.stderr);
      const body = JSON.parse(ok.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.ok(typeof body.expires_in === 'number' && body.expires_in > 0 && body.expires_in <= 86400);
      assert.equal(body.scope, forRevoke.scopes.join(' '));
      const payload = payloadOf(body.access_token as string);
      assert.equal(payload.iss, server!.issuer);
      assert.equal(payload.client_id, forRevoke.clientId);
      assert.equal(payload.environment, 'demo');

      assert.notEqual(wrong.code, 0);
      assert.equal(wrong.stdout, '');
      assert.match(wrong.stderr, /invalid_client/);

      // The server hands out the same token again (reuse): the CLI asked as any client would.
      const again = await requestToken(forRevoke.clientId, forRevoke.clientSecret!);
      assert.equal(again.status, 200);
      assert.equal(again.body.access_token, body.access_token);
    });

    it('a CLI --disable takes effect on the running server within 1 s', async (t) => {
      const first = await requestToken(forDisable.clientId, forDisable.clientSecret!);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const cached = await requestToken(forDisable.clientId, forDisable.clientSecret!);
      assert.equal(cached.body.access_token, first.body.access_token, 'the server reuses (and caches) the token');

      const disabled = await json('integrations', 'update', forDisable.id, '--env', 'demo', '--disable', '--json');
      const changedAt = Date.now();
      assert.equal(disabled.disabled, true);
      const { reply, elapsed, attempts } = await untilWithin(changedAt, () => requestToken(forDisable.clientId, forDisable.clientSecret!), (r) => r.status !== 200);
      t.diagnostic(`refused ${elapsed} ms after the CLI exited (request ${attempts})`);
      assert.equal(reply.status, 401);
      assert.equal(reply.body.error, 'invalid_client');
      assert.ok(elapsed <= 1500, `took ${elapsed} ms`);
    });

    it('a CLI revoke-tokens ends reuse on the running server within 1 s', async (t) => {
      const before = await requestToken(forRevoke.clientId, forRevoke.clientSecret!);
      assert.equal(before.status, 200);
      const oldToken = before.body.access_token as string;

      const revoked = await json('integrations', 'revoke-tokens', forRevoke.clientId, '--env', 'demo', '--json');
      const changedAt = Date.now();
      assert.ok(revoked.tokensNotBefore);
      const { reply, elapsed, attempts } = await untilWithin(
        changedAt,
        () => requestToken(forRevoke.clientId, forRevoke.clientSecret!),
        (r) => r.status === 200 && r.body.access_token !== oldToken,
      );
      t.diagnostic(`new token ${elapsed} ms after the CLI exited (request ${attempts})`);
      assert.ok(elapsed <= 1500, `took ${elapsed} ms`);
      const payload = payloadOf(reply.body.access_token as string);
      assert.ok((payload.iat as number) * 1000 >= Date.parse(revoked.tokensNotBefore), 'the new token is not caught by the revocation');
      // And the new token is reused in turn.
      const next = await requestToken(forRevoke.clientId, forRevoke.clientSecret!);
      assert.equal(next.body.access_token, reply.body.access_token);
    });
  });
}

/** The secret with its last character changed (never to the character it already was). */
function mistyped(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
}
