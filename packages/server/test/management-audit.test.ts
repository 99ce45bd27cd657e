// The audit log (SPEC §3): every change with who made it (a user, a personal access token, the
// CLI), filters and cursor paging; and nothing secret in any response, audit row or log line.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { call, cookieOf, createUser, PASSWORD, signIn, type Reply } from './helpers/management.ts';

const UA = 'audit-test/1.0';

for (const dialect of dialects()) {
  describe(`the audit log (${dialect})`, () => {
    let h: Harness;
    let ownerId: string;
    let session: Awaited<ReturnType<typeof signIn>>;
    let pat: { pat: string; userId: string; id: string };
    let integrationId: string;

    before(async () => {
      h = await createHarness(dialect);
      ownerId = await createUser(h, 'owner@example.com', 'owner');
      h.clock.advance(1000);
      session = await signIn(h, 'owner@example.com');
      const created = await call(h, session, 'POST', '/me/tokens', { body: { name: 'automation', access: 'read-write' } });
      pat = { pat: created.body.token, userId: ownerId, id: created.body.id };
      h.clock.advance(1000);
    });
    after(() => h.close());

    const as = (who: 'user' | 'pat') => (who === 'user' ? session : pat);
    const step = async (who: 'user' | 'pat', method: string, path: string, body?: unknown): Promise<Reply> => {
      const reply = await call(h, as(who), method, path, { ...(body !== undefined ? { body } : {}), headers: { 'user-agent': UA }, remoteAddress: '198.51.100.7' });
      assert.ok(reply.status < 300, `${method} ${path}: ${reply.status} ${reply.raw}`);
      h.clock.advance(1000);
      return reply;
    };

    it('records every change in an environment with its actor, address and user agent', async () => {
      const member = await createUser(h, 'member@example.com');
      await step('user', 'POST', '/environments', { id: 'audited', displayName: 'Audited' });
      await step('pat', 'PATCH', '/environments/audited', { displayName: 'Audited!' });
      integrationId = (await step('user', 'POST', '/environments/audited/integrations', { name: 'CI', preset: 'read-only' })).body.id;
      await step('pat', 'PATCH', `/environments/audited/integrations/${integrationId}`, { description: 'nightly' });
      const regenerated = await step('user', 'POST', `/environments/audited/integrations/${integrationId}/secrets`, { graceSeconds: 600 });
      const previous = regenerated.body.secrets.find((secret: { expiresAt: string | null }) => secret.expiresAt !== null);
      await step('pat', 'DELETE', `/environments/audited/integrations/${integrationId}/secrets/${previous.id}`);
      await step('user', 'POST', `/environments/audited/integrations/${integrationId}/revoke-tokens`);
      await h.app.services.integrations.update('audited', integrationId, { name: 'CI (cli)' });
      h.clock.advance(1000);
      await step('pat', 'PUT', `/environments/audited/members/${member}`, { role: 'viewer' });
      await step('user', 'DELETE', `/environments/audited/members/${member}`);
      await step('user', 'DELETE', `/environments/audited/integrations/${integrationId}`);

      const page = await call(h, pat, 'GET', '/environments/audited/audit');
      const rows = (page.body.data as Array<Record<string, any>>).reverse();
      assert.deepEqual(
        rows.map((row) => [row.action, row.actor.type, row.actor.id]),
        [
          ['environment.create', 'user', ownerId],
          ['environment.update', 'pat', pat.id],
          ['integration.create', 'user', ownerId],
          ['integration.update', 'pat', pat.id],
          ['integration.secret.regenerate', 'user', ownerId],
          ['integration.secret.delete', 'pat', pat.id],
          ['integration.tokens.revoke', 'user', ownerId],
          ['integration.update', 'cli', 'cli'],
          ['member.set', 'pat', pat.id],
          ['member.remove', 'user', ownerId],
          ['integration.delete', 'user', ownerId],
        ],
      );
      const byUser = rows.find((row) => row.actor.type === 'user')!;
      assert.deepEqual({ address: byUser.address, userAgent: byUser.userAgent, label: byUser.actor.label }, { address: '198.51.100.7', userAgent: UA, label: 'owner@example.com' });
      assert.equal(rows.find((row) => row.actor.type === 'pat')!.actor.label, 'automation (owner@example.com)');
      assert.deepEqual(rows[3]!.changes, { description: 'nightly' }, 'the changed fields');
      assert.deepEqual(rows[3]!.target, { type: 'integration', id: integrationId });
      assert.equal(rows[4]!.changes.graceSeconds, 600);
      assert.ok(rows.every((row) => row.environment === 'audited'));
    });

    it('records people, tokens and sign-ins as platform events (owners: GET /audit)', async () => {
      const created = await step('pat', 'POST', '/users', { email: 'temp@example.com', password: PASSWORD });
      await step('user', 'PATCH', `/users/${created.body.id}`, { platformRole: 'owner' });
      await step('pat', 'PATCH', `/users/${created.body.id}`, { password: 'a brand new password' });
      await step('pat', 'DELETE', `/users/${created.body.id}`);
      const temporary = await step('user', 'POST', '/me/tokens', { name: 'temporary', access: 'read' });
      await step('user', 'DELETE', `/me/tokens/${temporary.body.id}`);
      const rows = ((await call(h, pat, 'GET', '/audit?limit=500')).body.data as Array<Record<string, any>>).reverse();
      const mine = rows.filter((row) => ['user.', 'pat.'].some((prefix) => row.action.startsWith(prefix)));
      assert.deepEqual(
        mine.map((row) => [row.action, row.actor.type]),
        [
          ['user.create', 'cli'],
          ['pat.create', 'user'],
          ['user.create', 'cli'],
          ['user.create', 'pat'],
          ['user.update', 'user'],
          ['user.update', 'pat'],
          ['user.delete', 'pat'],
          ['pat.create', 'user'],
          ['pat.revoke', 'user'],
        ],
      );
      assert.deepEqual(mine[5]!.changes, { passwordChanged: true }, 'that the password changed, never what to');
      assert.ok(rows.some((row) => row.action === 'session.create' && row.actor.id === ownerId));
      assert.ok(rows.every((row) => row.environment === null));
    });

    it('filters by actor, action, target and time, and pages with a cursor', async () => {
      const list = async (query: string) => (await call(h, pat, 'GET', `/environments/audited/audit?${query}`)).body;
      assert.ok((await list('actor=pat')).data.every((row: any) => row.actor.type === 'pat'));
      assert.ok((await list(`actor=${ownerId}`)).data.every((row: any) => row.actor.id === ownerId));
      assert.deepEqual(
        (await list('action=integration.secret.*')).data.map((row: any) => row.action),
        ['integration.secret.delete', 'integration.secret.regenerate'],
      );
      assert.deepEqual(
        (await list('action=member.set')).data.map((row: any) => row.action),
        ['member.set'],
      );
      assert.equal((await list(`target=${integrationId}`)).data.length, 7);
      const all = (await list('limit=500')).data as Array<{ id: string; at: string }>;
      const middle = all[5]!.at;
      assert.ok((await list(`to=${encodeURIComponent(middle)}`)).data.every((row: any) => row.at < middle));
      assert.ok((await list(`from=${encodeURIComponent(middle)}`)).data.every((row: any) => row.at >= middle));
      assert.equal((await call(h, pat, 'GET', '/environments/audited/audit?from=yesterday')).status, 400);

      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: Array<{ id: string }>; nextCursor: string | null } = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...page.data.map((row) => row.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        paged,
        all.map((row) => row.id),
      );
    });

    it('keeps 90 days', async () => {
      const { db } = h.app.services.database;
      const now = h.clock.now();
      const row = (id: string, at: number) => ({ id, environment_id: 'audited', at, actor_type: 'cli', actor_id: 'cli', action: 'test.old', target_type: 'x', target_id: 'x', changes: null, reason: null, address: null, user_agent: null });
      await db.insertInto('audit_log').values([row('aud_old', now - 91 * 24 * 3600_000), row('aud_recent', now - 89 * 24 * 3600_000)]).execute();
      await h.app.services.management.sweep();
      const left = await db.selectFrom('audit_log').select('id').where('action', '=', 'test.old').execute();
      assert.deepEqual(
        left.map((r) => r.id),
        ['aud_recent'],
      );
    });
  });

  describe(`secrets stay secret (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect, { env: { LOG_LEVEL: 'trace' } });
    });
    after(() => h.close());

    it('no secret, token, password or hash in any response, audit row or log line', async () => {
      const replies: Array<{ what: string; reply: Reply }> = [];
      const record = (what: string, reply: Reply) => {
        replies.push({ what, reply });
        return reply;
      };
      const secrets: string[] = [PASSWORD, 'a second password 123', 'wrong password 123'];
      const setupUrl = (await h.app.services.management.setup.ensureSetupUrl())!;
      const setupToken = new URL(setupUrl).searchParams.get('token')!;
      secrets.push(setupToken);
      const setup = record('setup', await call(h, null, 'POST', '/setup', { body: { token: setupToken, email: 'owner@example.com', password: PASSWORD } }));
      assert.equal(setup.status, 201);
      const firstCookie = cookieOf(setup).split('=')[1]!;
      secrets.push(firstCookie);
      const session = await signIn(h, 'owner@example.com');
      secrets.push(session.cookie.split('=')[1]!);
      record('sign-in', session.reply);
      const malformed = record('malformed sign-in', await call(h, null, 'POST', '/session', { body: `{"email":"owner@example.com","password":"${PASSWORD}" x` }));
      assert.deepEqual(malformed.body, { error: 'validation_failed', message: 'The body is not valid JSON' });
      record('failed sign-in', await call(h, null, 'POST', '/session', { body: { email: 'owner@example.com', password: 'wrong password 123' } }));
      record('env', await call(h, session, 'POST', '/environments', { body: { id: 'demo' } }));
      const createdPat = record('pat', await call(h, session, 'POST', '/me/tokens', { body: { name: 'ci', access: 'read-write' } }));
      const patToken = createdPat.body.token as string;
      secrets.push(patToken);
      const pat = { pat: patToken, userId: session.userId };
      const integration = record('integration', await call(h, pat, 'POST', '/environments/demo/integrations', { body: { name: 'CI', preset: 'all' } }));
      secrets.push(integration.body.clientSecret);
      const regenerated = record('regenerate', await call(h, pat, 'POST', `/environments/demo/integrations/${integration.body.id}/secrets`, { body: { graceSeconds: 60 } }));
      secrets.push(regenerated.body.clientSecret);
      const minted = await h.token({ grant_type: 'client_credentials', client_id: integration.body.clientId, client_secret: regenerated.body.clientSecret });
      secrets.push(String(minted.body.access_token));
      await h.token({ grant_type: 'client_credentials', client_id: integration.body.clientId, client_secret: `${regenerated.body.clientSecret.slice(0, -1)}0` });
      record('user', await call(h, pat, 'POST', '/users', { body: { email: 'two@example.com', password: 'a second password 123' } }));
      record('bad body', await call(h, pat, 'POST', '/users', { body: { email: 'three@example.com', password: 'a second password 123', role: 'owner' } }));
      record('jwt as credential', await call(h, null, 'GET', '/me', { headers: { authorization: `Bearer ${minted.body.access_token}` } }));
      for (const path of ['/me', '/me/tokens', '/users', '/environments/demo/integrations', `/environments/demo/integrations/${integration.body.id}`, '/environments/demo/audit?limit=500', '/audit?limit=500']) {
        record(path, await call(h, pat, 'GET', path));
      }
      await h.app.services.management.flush();

      const { db } = h.app.services.database;
      const hashes = [
        ...(await db.selectFrom('users').select('password_hash as value').execute()),
        ...(await db.selectFrom('personal_access_tokens').select('token_hash as value').execute()),
        ...(await db.selectFrom('sessions').select('id_hash as value').execute()),
        ...(await db.selectFrom('integration_secrets').select('secret_hash as value').execute()),
        ...(await db.selectFrom('setup_tokens').select('token_hash as value').execute()),
      ].map((row) => row.value);
      assert.ok(hashes.length >= 8);
      // A hash is `scrypt$N$r$p$salt$hash`: look for its salt and its hash, and for whole HMACs.
      const needles = [...secrets.map((secret) => (secret.startsWith('lk_') ? secret.slice(-20) : secret)), ...hashes.flatMap((hash) => (hash.startsWith('scrypt$') ? hash.split('$').slice(4) : [hash]))];

      const audit = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
      const logs = h.logs();
      for (const needle of needles) {
        assert.ok(!audit.includes(needle), `audit log holds ${needle.slice(0, 8)}…`);
        assert.ok(!logs.includes(needle), `log holds ${needle.slice(0, 8)}…`);
      }
      const shownOnce = new Map([
        ['pat', patToken],
        ['integration', integration.body.clientSecret],
        ['regenerate', regenerated.body.clientSecret],
      ]);
      for (const { what, reply } of replies) {
        for (const needle of needles) {
          if (shownOnce.get(what)?.endsWith(needle)) continue;
          assert.ok(!reply.raw.includes(needle), `${what} answered ${needle.slice(0, 8)}…`);
        }
        assert.ok(!/password_?hash|secret_?hash|token_?hash|scrypt\$/i.test(reply.raw), `${what} names a hash`);
      }
    });
  });
}
