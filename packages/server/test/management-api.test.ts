// The management API as a script uses it (SPEC §3): environments and integrations over HTTP through
// the same services as the CLI, schemas that refuse unknown fields, secret expiry and grace,
// personal access tokens from creation to revocation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { call, createPat, createUser, PASSWORD, signIn } from './helpers/management.ts';

const DAY = 24 * 3600_000;

for (const dialect of dialects()) {
  describe(`management API: environments and integrations (${dialect})`, () => {
    let h: Harness;
    let owner: { pat: string; userId: string };
    before(async () => {
      h = await createHarness(dialect);
      const ownerId = await createUser(h, 'owner@example.com', 'owner');
      owner = await createPat(h, ownerId, 'read-write', 'automation');
    });
    after(() => h.close());

    const token = (clientId: string, clientSecret: string) => h.token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });

    it('creates, reads, changes and lists environments', async () => {
      const created = await call(h, owner, 'POST', '/environments', { body: { id: 'demo', displayName: 'Demo', tokenTtlSeconds: 7200, tokenReuseWindowSeconds: 600 } });
      assert.equal(created.status, 201);
      assert.deepEqual(
        { ...created.body, createdAt: undefined, updatedAt: undefined },
        { id: 'demo', displayName: 'Demo', tokenTtlSeconds: 7200, tokenReuseWindowSeconds: 600, createdAt: undefined, updatedAt: undefined },
      );
      assert.equal((await call(h, owner, 'POST', '/environments', { body: { id: 'demo' } })).status, 409);
      const changed = await call(h, owner, 'PATCH', '/environments/demo', { body: { tokenReuseWindowSeconds: 300 } });
      assert.equal(changed.body.tokenReuseWindowSeconds, 300);
      const invalid = await call(h, owner, 'PATCH', '/environments/demo', { body: { tokenReuseWindowSeconds: 9000 } });
      assert.deepEqual(invalid.body, { error: 'validation_failed', message: 'Invalid environment settings', details: ['tokenReuseWindowSeconds must not exceed tokenTtlSeconds'] });
      assert.deepEqual((await call(h, owner, 'GET', '/environments')).body.data.map((env: { id: string }) => env.id), ['demo']);
    });

    it('refuses unknown fields and wrong types with every problem listed (400), never a 500', async () => {
      const unknown = await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 'CI', preset: 'all', secret: 'x', extra: 1 } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error, 'validation_failed');
      assert.deepEqual(unknown.body.details.sort(), ['body.extra: Unexpected property', 'body.secret: Unexpected property']);
      const types = await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 42, scopes: 'template:read' } });
      assert.equal(types.status, 400);
      assert.ok(types.body.details.some((detail: string) => detail.startsWith('body.name')), JSON.stringify(types.body));
      assert.ok(types.body.details.some((detail: string) => detail.startsWith('body.scopes')), JSON.stringify(types.body));
      const both = await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 'CI', preset: 'all', scopes: ['template:read'] } });
      assert.deepEqual(both.body, { error: 'validation_failed', message: 'Give scopes or a preset, not both' });
      const scope = await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 'CI', scopes: ['template:read', 'template:eat'] } });
      assert.deepEqual(scope.body.details, ['"template:eat" is not in the scope catalog']);
      const json = await call(h, owner, 'POST', '/environments/demo/integrations', { body: '{"name": ' });
      assert.equal(json.status, 400);
      const missing = await call(h, owner, 'POST', '/environments/demo/integrations');
      assert.deepEqual(missing.body.details, ['body.name: Expected required property']);
      const form = await call(h, owner, 'POST', '/environments/demo/integrations', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=CI' });
      assert.equal(form.status, 415);
      const query = await call(h, owner, 'GET', '/environments/demo/integrations?limit=0');
      assert.equal(query.status, 400);
      assert.equal((await call(h, owner, 'GET', '/environments/demo/integrations?cursor=bogus')).status, 400);
    });

    it('manages an integration end to end, and its tokens follow at once', async () => {
      const created = await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 'CI', description: 'builds', scopes: ['template:read', 'template:list'] } });
      assert.equal(created.status, 201);
      assert.match(created.body.clientSecret, /^lk_secret_[0-9A-Za-z]{49}$/);
      assert.deepEqual(created.body.scopes, ['template:list', 'template:read']);
      assert.equal(created.body.createdBy, 'owner@example.com');
      const { id, clientId, clientSecret } = created.body;
      assert.equal((await token(clientId, clientSecret)).status, 200);

      const shown = await call(h, owner, 'GET', `/environments/demo/integrations/${clientId}`);
      assert.equal(shown.body.id, id, 'found by client id too');
      assert.equal(shown.body.clientSecret, undefined, 'the secret is never shown again');
      assert.deepEqual(Object.keys(shown.body.secrets[0]).sort(), ['createdAt', 'expiresAt', 'expiresSoon', 'hint', 'id', 'lastUsedAt']);

      const disabled = await call(h, owner, 'PATCH', `/environments/demo/integrations/${id}`, { body: { disabled: true, allowBrowserWrites: true } });
      assert.equal(disabled.status, 200);
      assert.equal(disabled.body.disabled, true);
      assert.equal(disabled.body.allowBrowserWrites, true);
      assert.equal((await token(clientId, clientSecret)).status, 401, 'disabled over HTTP: refused at once');
      await call(h, owner, 'PATCH', `/environments/demo/integrations/${id}`, { body: { disabled: false, preset: 'read-only' } });
      assert.equal((await token(clientId, clientSecret)).status, 200);

      const regenerated = await call(h, owner, 'POST', `/environments/demo/integrations/${id}/secrets`, { body: { graceSeconds: 3600 } });
      assert.equal(regenerated.status, 201);
      assert.notEqual(regenerated.body.clientSecret, clientSecret);
      assert.equal(regenerated.body.secrets.length, 2, 'the previous one, in its grace period, and the new one');
      assert.equal((await token(clientId, clientSecret)).status, 200, 'the previous secret works during its grace');
      const previous = regenerated.body.secrets.find((secret: { expiresAt: string | null }) => secret.expiresAt !== null);
      const current = regenerated.body.secrets.find((secret: { expiresAt: string | null }) => secret.expiresAt === null);
      assert.equal((await call(h, owner, 'DELETE', `/environments/demo/integrations/${id}/secrets/${current.id}`)).status, 409, 'the current secret cannot go');
      const ended = await call(h, owner, 'DELETE', `/environments/demo/integrations/${id}/secrets/${previous.id}`);
      assert.equal(ended.status, 200);
      assert.deepEqual(
        ended.body.secrets.map((secret: { id: string }) => secret.id),
        [current.id],
      );
      assert.equal((await token(clientId, clientSecret)).status, 401, 'grace ended early');
      assert.equal((await token(clientId, regenerated.body.clientSecret)).status, 200);

      const revoked = await call(h, owner, 'POST', `/environments/demo/integrations/${id}/revoke-tokens`);
      assert.equal(revoked.status, 200);
      assert.ok(revoked.body.tokensNotBefore);

      assert.equal((await call(h, owner, 'DELETE', `/environments/demo/integrations/${id}`)).status, 204);
      assert.equal((await call(h, owner, 'GET', `/environments/demo/integrations/${id}`)).status, 404);
      assert.equal((await token(clientId, regenerated.body.clientSecret)).status, 401);
    });

    it('gives a secret an expiry: flagged 14 days ahead, refused from then on', async () => {
      const { id, clientId } = (await call(h, owner, 'POST', '/environments/demo/integrations', { body: { name: 'expiring', preset: 'read-only' } })).body;
      const expiresAt = new Date(h.clock.now() + 20 * DAY).toISOString();
      const past = await call(h, owner, 'POST', `/environments/demo/integrations/${id}/secrets`, { body: { expiresAt: new Date(h.clock.now() - 1000).toISOString() } });
      assert.deepEqual(past.body.details, ['expiresAt must be in the future']);
      const regenerated = await call(h, owner, 'POST', `/environments/demo/integrations/${id}/secrets`, { body: { expiresAt } });
      assert.equal(regenerated.status, 201);
      assert.deepEqual(
        regenerated.body.secrets.map((secret: { expiresAt: string; expiresSoon: boolean }) => [secret.expiresAt, secret.expiresSoon]),
        [[expiresAt, false]],
      );
      const secret = regenerated.body.clientSecret;
      h.clock.advance(7 * DAY);
      const soon = await call(h, owner, 'GET', `/environments/demo/integrations/${id}`);
      assert.equal(soon.body.secrets[0].expiresSoon, true, 'within 14 days of its expiry');
      assert.equal((await token(clientId, secret)).status, 200);
      h.clock.advance(13 * DAY);
      const refused = await token(clientId, secret);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error, 'invalid_client');
      const listed = await call(h, owner, 'GET', `/environments/demo/integrations/${id}`);
      assert.deepEqual(
        listed.body.secrets.map((s: { expiresAt: string }) => s.expiresAt),
        [expiresAt],
        'the expired current secret stays listed so the console can say so',
      );
    });

    it('searches and pages integrations with a cursor, never repeating one', async () => {
      await h.env('paged');
      for (let i = 0; i < 5; i++) {
        await call(h, owner, 'POST', '/environments/paged/integrations', { body: { name: `Worker ${i}`, description: i === 3 ? 'the NIGHTLY_job' : '' } });
        h.clock.advance(1000);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { body: { data: Array<{ name: string }>; nextCursor: string | null } } = await call(h, owner, 'GET', `/environments/paged/integrations?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.body.data.map((integration) => integration.name));
        cursor = page.body.nextCursor;
        pages++;
        if (pages === 1) await call(h, owner, 'POST', '/environments/paged/integrations', { body: { name: 'Late' } });
      } while (cursor);
      assert.deepEqual(seen, ['Worker 0', 'Worker 1', 'Worker 2', 'Worker 3', 'Worker 4', 'Late']);
      const found = await call(h, owner, 'GET', '/environments/paged/integrations?search=nightly_');
      assert.deepEqual(
        found.body.data.map((integration: { name: string }) => integration.name),
        ['Worker 3'],
      );
      assert.equal((await call(h, owner, 'GET', '/environments/paged/integrations?search=%25')).body.data.length, 0, 'LIKE wildcards are literal');
    });

    it('deletes an environment only with ?confirm={env}, and everything in it goes', async () => {
      await h.env('doomed');
      const { clientId, clientSecret } = (await call(h, owner, 'POST', '/environments/doomed/integrations', { body: { name: 'x', preset: 'all' } })).body;
      assert.equal((await token(clientId, clientSecret)).status, 200);
      const unconfirmed = await call(h, owner, 'DELETE', '/environments/doomed');
      assert.equal(unconfirmed.status, 400);
      assert.equal((await call(h, owner, 'DELETE', '/environments/doomed?confirm=demo')).status, 400);
      assert.equal((await call(h, owner, 'DELETE', '/environments/doomed?confirm=doomed')).status, 204);
      assert.equal((await call(h, owner, 'GET', '/environments/doomed')).status, 404);
      assert.equal((await token(clientId, clientSecret)).status, 401);
      const audit = await h.app.services.management.audit.list('doomed', { action: 'environment.delete' });
      assert.equal(audit.data.length, 1, 'the deletion stays in the audit log');
    });

    it('answers the scope catalog grouped by resource, with the presets', async () => {
      const catalog = (await call(h, owner, 'GET', '/scopes')).body;
      assert.deepEqual(
        catalog.groups.map((group: { label: string }) => group.label),
        ['Templates', 'Template collections', 'Media', 'Fonts', 'My projects', 'Output'],
      );
      assert.deepEqual(catalog.groups[0].scopes, [
        { scope: 'template:list', action: 'list', privileged: false },
        { scope: 'template:read', action: 'read', privileged: false },
        { scope: 'template:write', action: 'write', privileged: true },
      ]);
      assert.deepEqual(
        catalog.groups[5].scopes.map((scope: { scope: string; privileged: boolean }) => [scope.scope, scope.privileged]),
        [
          ['output:animated', true],
          ['output:static', true],
        ],
      );
      assert.deepEqual(
        catalog.presets.map((preset: { name: string; label: string; scopes: string[] }) => [preset.name, preset.label, preset.scopes.length]),
        [
          ['read-only', 'Read-only', 10],
          ['all', 'All permissions', 17],
        ],
      );
    });

    it('answers 404 in the problem shape for unknown /api paths', async () => {
      const reply = await call(h, null, 'GET', '/api/v2/environments');
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, { error: 'not_found', message: 'No route for GET /api/v2/environments' });
    });
  });

  describe(`personal access tokens (${dialect})`, () => {
    let h: Harness;
    let session: Awaited<ReturnType<typeof signIn>>;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      const id = await createUser(h, 'dev@example.com');
      await h.app.services.management.users.setMembership('demo', id, 'admin');
      session = await signIn(h, 'dev@example.com');
    });
    after(() => h.close());

    it('lives from creation (shown once) through use, read-only limits and expiry to revocation', async () => {
      const created = await call(h, session, 'POST', '/me/tokens', { body: { name: 'deploy', access: 'read-write' } });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^lk_pat_[0-9A-Za-z]{49}$/);
      assert.equal(created.body.expiresAt, new Date(h.clock.now() + 90 * DAY).toISOString(), 'default: 90 days');
      const pat = { pat: created.body.token as string, userId: session.userId };
      const listed = await call(h, session, 'GET', '/me/tokens');
      assert.deepEqual(Object.keys(listed.body.data[0]).sort(), ['access', 'createdAt', 'expiresAt', 'expiresSoon', 'hint', 'id', 'lastUsedAt', 'name']);
      assert.ok(!listed.raw.includes(created.body.token.slice(7)), 'never shown again');
      assert.equal(listed.body.data[0].lastUsedAt, null);

      assert.equal((await call(h, pat, 'POST', '/environments/demo/integrations', { body: { name: 'by token' } })).status, 201, 'acts as its user');
      await h.app.services.management.flush();
      assert.equal((await call(h, session, 'GET', '/me/tokens')).body.data[0].lastUsedAt, new Date(h.clock.now()).toISOString(), 'last use, written in a batch');

      const mistyped = { ...pat, pat: `${pat.pat.slice(0, 20)}${pat.pat[20] === 'a' ? 'b' : 'a'}${pat.pat.slice(21)}` };
      assert.equal((await call(h, mistyped, 'GET', '/me')).status, 401, 'a mistyped token fails its checksum');

      const read = await call(h, session, 'POST', '/me/tokens', { body: { name: 'dashboards', access: 'read', expiresAt: new Date(h.clock.now() + 30 * DAY).toISOString() } });
      const reader = { pat: read.body.token as string, userId: session.userId };
      assert.equal((await call(h, reader, 'GET', '/environments/demo/integrations')).status, 200);
      const refused = await call(h, reader, 'POST', '/environments/demo/integrations', { body: { name: 'nope' } });
      assert.deepEqual(refused.body, { error: 'forbidden', message: 'This personal access token is read-only' });
      assert.equal((await call(h, pat, 'POST', '/me/tokens', { body: { name: 'child', access: 'read' } })).status, 403, 'a token cannot mint tokens');

      h.clock.advance(17 * DAY);
      session = await signIn(h, 'dev@example.com');
      assert.equal((await call(h, session, 'GET', '/me/tokens')).body.data.find((t: { name: string }) => t.name === 'dashboards').expiresSoon, true);
      h.clock.advance(13 * DAY);
      assert.equal((await call(h, reader, 'GET', '/me')).status, 401, 'expired');
      assert.equal((await call(h, pat, 'GET', '/me')).status, 200, 'the other one still works');

      session = await signIn(h, 'dev@example.com');
      assert.equal((await call(h, session, 'DELETE', `/me/tokens/${created.body.id}`)).status, 204);
      assert.equal((await call(h, pat, 'GET', '/me')).status, 401, 'revoked: refused at once');
      assert.equal((await call(h, session, 'DELETE', `/me/tokens/${created.body.id}`)).status, 404);
    });

    it('refuses an access token from /oauth/token as a management credential', async () => {
      const accessToken = await h.apiToken('demo');
      const reply = await call(h, null, 'GET', '/me', { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(reply.status, 401);
      assert.match(reply.body.message, /personal access token/);
      assert.equal(reply.headers['www-authenticate'], 'Bearer realm="latchkey"');
      assert.equal((await call(h, null, 'GET', '/me', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } })).status, 401);
    });

    it('refuses expiries in the past or more than a year ahead', async () => {
      for (const expiresAt of [h.clock.now() - 1, h.clock.now() + 400 * DAY]) {
        const reply = await call(h, session, 'POST', '/me/tokens', { body: { name: 'x', access: 'read', expiresAt: new Date(expiresAt).toISOString() } });
        assert.equal(reply.status, 400);
      }
      assert.equal((await call(h, session, 'POST', '/me/tokens', { body: { name: 'x', access: 'admin' } })).status, 400);
    });
  });

  describe(`people (${dialect})`, () => {
    let h: Harness;
    let owner: { pat: string; userId: string };
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      const id = await createUser(h, 'owner@example.com', 'owner');
      owner = await createPat(h, id, 'read-write');
    });
    after(() => h.close());

    it('creates people, gives them roles, resets passwords (ending their sessions) and deletes them', async () => {
      const created = await call(h, owner, 'POST', '/users', { body: { email: 'New@Example.com', password: PASSWORD } });
      assert.equal(created.status, 201);
      assert.deepEqual({ email: created.body.email, platformRole: created.body.platformRole, memberships: created.body.memberships }, { email: 'new@example.com', platformRole: 'member', memberships: [] });
      assert.equal((await call(h, owner, 'POST', '/users', { body: { email: 'new@example.com', password: PASSWORD } })).status, 409);
      assert.equal((await call(h, owner, 'POST', '/users', { body: { email: 'not-an-email', password: PASSWORD } })).status, 400);
      const id = created.body.id;
      const member = await call(h, owner, 'PUT', `/environments/demo/members/${id}`, { body: { role: 'viewer' } });
      assert.deepEqual({ userId: member.body.userId, role: member.body.role }, { userId: id, role: 'viewer' });
      assert.equal((await call(h, owner, 'PUT', `/environments/demo/members/${id}`, { body: { role: 'admin' } })).body.role, 'admin');
      assert.equal((await call(h, owner, 'PUT', `/environments/demo/members/${id}`, { body: { role: 'king' } })).status, 400);
      assert.equal((await call(h, owner, 'PUT', `/environments/demo/members/usr_nobody`, { body: { role: 'admin' } })).status, 404);
      const members = await call(h, owner, 'GET', '/environments/demo/members');
      assert.deepEqual(
        members.body.data.map((m: { email: string; role: string }) => [m.email, m.role]),
        [['new@example.com', 'admin']],
      );

      const session = await signIn(h, 'new@example.com');
      assert.equal((await call(h, owner, 'PATCH', `/users/${id}`, { body: { password: 'another long password' } })).status, 200);
      assert.equal((await call(h, session, 'GET', '/me')).status, 401, 'a new password ends the sessions');
      await signIn(h, 'new@example.com', 'another long password');

      assert.equal((await call(h, owner, 'DELETE', `/environments/demo/members/${id}`)).status, 204);
      assert.equal((await call(h, owner, 'DELETE', `/users/${id}`)).status, 204);
      assert.equal((await call(h, null, 'POST', '/session', { body: { email: 'new@example.com', password: 'another long password' } })).status, 401);
    });
  });
}
