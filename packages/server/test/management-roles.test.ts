// The role matrix of the management API (SPEC §3), pinned route by route: owners do everything and
// manage people; admins change their environments; viewers read; a member of no environment gets
// 404 for it (never 403); a read token only GETs; a read-write token acts as its user except for
// managing tokens and signing out; no credentials is 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { call, createPat, createUser, signIn, type Credential } from './helpers/management.ts';

const PRINCIPALS = ['owner', 'admin', 'viewer', 'outsider', 'patRead', 'patRW', 'none'] as const;
type Principal = (typeof PRINCIPALS)[number];

interface Fixtures {
  h: Harness;
  users: Record<'owner' | 'admin' | 'viewer' | 'outsider' | 'target', string>;
  integrationId: string;
  /** The user id behind a principal (PATs are the admin's). */
  userOf(principal: Principal): string;
}

interface Row {
  method: string;
  /** Builds the request for one principal: fresh targets where a success would consume them. */
  request(f: Fixtures, principal: Principal, expected: number): Promise<{ path: string; body?: unknown }> | { path: string; body?: unknown };
  /** owner, admin, viewer, outsider, PAT read, PAT read-write, no credentials */
  expect: [number, number, number, number, number, number, number];
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;
const ok = (status: number) => status >= 200 && status < 300;

async function freshIntegration(f: Fixtures): Promise<string> {
  return (await f.h.app.services.integrations.create('demo', { name: unique('fresh'), preset: 'read-only' })).id;
}

const ROUTES: Record<string, Row> = {
  'GET /me': { method: 'GET', request: () => ({ path: '/me' }), expect: [200, 200, 200, 200, 200, 200, 401] },
  'GET /me/tokens': { method: 'GET', request: () => ({ path: '/me/tokens' }), expect: [200, 200, 200, 200, 200, 200, 401] },
  'POST /me/tokens': { method: 'POST', request: () => ({ path: '/me/tokens', body: { name: unique('t'), access: 'read' } }), expect: [201, 201, 201, 201, 403, 403, 401] },
  'DELETE /me/tokens/{id}': {
    method: 'DELETE',
    async request(f, principal) {
      const owner = principal === 'none' ? f.users.owner : f.userOf(principal);
      return { path: `/me/tokens/${(await createPat(f.h, owner, 'read')).id}` };
    },
    expect: [204, 204, 204, 204, 403, 403, 401],
  },
  'GET /users': { method: 'GET', request: () => ({ path: '/users' }), expect: [200, 403, 403, 403, 403, 403, 401] },
  'POST /users': {
    method: 'POST',
    request: () => ({ path: '/users', body: { email: `${unique('new')}@example.com`, password: 'a long enough password' } }),
    expect: [201, 403, 403, 403, 403, 403, 401],
  },
  'PATCH /users/{id}': {
    method: 'PATCH',
    request: (f) => ({ path: `/users/${f.users.target}`, body: { email: `${unique('renamed')}@example.com` } }),
    expect: [200, 403, 403, 403, 403, 403, 401],
  },
  'DELETE /users/{id}': {
    method: 'DELETE',
    async request(f, _principal, expected) {
      return { path: `/users/${ok(expected) ? await createUser(f.h, `${unique('gone')}@example.com`) : f.users.target}` };
    },
    expect: [204, 403, 403, 403, 403, 403, 401],
  },
  'GET /environments': { method: 'GET', request: () => ({ path: '/environments' }), expect: [200, 200, 200, 200, 200, 200, 401] },
  'POST /environments': { method: 'POST', request: () => ({ path: '/environments', body: { id: unique('env') } }), expect: [201, 403, 403, 403, 403, 403, 401] },
  'GET /environments/{env}': { method: 'GET', request: () => ({ path: '/environments/demo' }), expect: [200, 200, 200, 404, 200, 200, 401] },
  'GET /environments/{env} (not theirs)': { method: 'GET', request: () => ({ path: '/environments/other' }), expect: [200, 404, 404, 404, 404, 404, 401] },
  'PATCH /environments/{env}': { method: 'PATCH', request: () => ({ path: '/environments/demo', body: { displayName: unique('Demo') } }), expect: [200, 200, 403, 404, 403, 200, 401] },
  'DELETE /environments/{env}': {
    method: 'DELETE',
    async request(f, _principal, expected) {
      if (!ok(expected)) return { path: '/environments/demo?confirm=demo' };
      const id = unique('doomed');
      await f.h.app.services.environments.create({ id });
      return { path: `/environments/${id}?confirm=${id}` };
    },
    expect: [204, 403, 403, 404, 403, 403, 401],
  },
  'GET /environments/{env}/integrations': { method: 'GET', request: () => ({ path: '/environments/demo/integrations' }), expect: [200, 200, 200, 404, 200, 200, 401] },
  'POST /environments/{env}/integrations': {
    method: 'POST',
    request: () => ({ path: '/environments/demo/integrations', body: { name: unique('int'), preset: 'read-only' } }),
    expect: [201, 201, 403, 404, 403, 201, 401],
  },
  'GET /environments/{env}/integrations/{id}': { method: 'GET', request: (f) => ({ path: `/environments/demo/integrations/${f.integrationId}` }), expect: [200, 200, 200, 404, 200, 200, 401] },
  'PATCH /environments/{env}/integrations/{id}': {
    method: 'PATCH',
    request: (f) => ({ path: `/environments/demo/integrations/${f.integrationId}`, body: { description: unique('d') } }),
    expect: [200, 200, 403, 404, 403, 200, 401],
  },
  'DELETE /environments/{env}/integrations/{id}': {
    method: 'DELETE',
    async request(f, _principal, expected) {
      return { path: `/environments/demo/integrations/${ok(expected) ? await freshIntegration(f) : f.integrationId}` };
    },
    expect: [204, 204, 403, 404, 403, 204, 401],
  },
  'POST /environments/{env}/integrations/{id}/secrets': {
    method: 'POST',
    request: (f) => ({ path: `/environments/demo/integrations/${f.integrationId}/secrets`, body: { graceSeconds: 60 } }),
    expect: [201, 201, 403, 404, 403, 201, 401],
  },
  'DELETE /environments/{env}/integrations/{id}/secrets/{secretId}': {
    method: 'DELETE',
    async request(f) {
      const id = await freshIntegration(f);
      const regenerated = await f.h.app.services.integrations.regenerateSecret('demo', id, 600);
      return { path: `/environments/demo/integrations/${id}/secrets/${regenerated.secrets[0]!.id}` };
    },
    expect: [200, 200, 403, 404, 403, 200, 401],
  },
  'POST /environments/{env}/integrations/{id}/revoke-tokens': {
    method: 'POST',
    request: (f) => ({ path: `/environments/demo/integrations/${f.integrationId}/revoke-tokens` }),
    expect: [200, 200, 403, 404, 403, 200, 401],
  },
  'GET /environments/{env}/integrations/{id}/activity': {
    method: 'GET',
    request: (f) => ({ path: `/environments/demo/integrations/${f.integrationId}/activity` }),
    expect: [200, 200, 200, 404, 200, 200, 401],
  },
  'GET /environments/{env}/members': { method: 'GET', request: () => ({ path: '/environments/demo/members' }), expect: [200, 200, 200, 404, 200, 200, 401] },
  'PUT /environments/{env}/members/{userId}': {
    method: 'PUT',
    request: (f) => ({ path: `/environments/demo/members/${f.users.target}`, body: { role: 'viewer' } }),
    expect: [200, 403, 403, 404, 403, 403, 401],
  },
  'DELETE /environments/{env}/members/{userId}': {
    method: 'DELETE',
    async request(f) {
      await f.h.app.services.management.users.setMembership('demo', f.users.target, 'viewer');
      return { path: `/environments/demo/members/${f.users.target}` };
    },
    expect: [204, 403, 403, 404, 403, 403, 401],
  },
  'GET /environments/{env}/audit': { method: 'GET', request: () => ({ path: '/environments/demo/audit' }), expect: [200, 200, 200, 404, 200, 200, 401] },
  'GET /audit': { method: 'GET', request: () => ({ path: '/audit' }), expect: [200, 403, 403, 403, 403, 403, 401] },
  'GET /scopes': { method: 'GET', request: () => ({ path: '/scopes' }), expect: [200, 200, 200, 200, 200, 200, 401] },
  // Last: it ends the sessions the rows above use.
  'DELETE /session': { method: 'DELETE', request: () => ({ path: '/session' }), expect: [204, 204, 204, 204, 403, 403, 401] },
};

for (const dialect of dialects()) {
  describe(`the role matrix (${dialect})`, () => {
    let f: Fixtures;
    const credentials = {} as Record<Principal, Credential>;

    before(async () => {
      const h = await createHarness(dialect);
      await h.env('demo');
      await h.env('other');
      const [owner, admin, viewer, outsider, target] = await Promise.all([
        createUser(h, 'owner@example.com', 'owner'),
        createUser(h, 'admin@example.com'),
        createUser(h, 'viewer@example.com'),
        createUser(h, 'outsider@example.com'),
        createUser(h, 'target@example.com'),
      ]);
      const { users } = h.app.services.management;
      await users.setMembership('demo', admin, 'admin');
      await users.setMembership('demo', viewer, 'viewer');
      const integrationId = (await h.integration('demo')).id;
      f = {
        h,
        users: { owner, admin, viewer, outsider, target },
        integrationId,
        userOf: (principal) => (principal === 'patRead' || principal === 'patRW' ? admin : f.users[principal as 'owner']),
      };
      const people = ['owner', 'admin', 'viewer', 'outsider'] as const;
      const sessions = await Promise.all(people.map((name) => signIn(h, `${name}@example.com`)));
      people.forEach((name, i) => (credentials[name] = sessions[i]!));
      credentials.patRead = await createPat(h, admin, 'read');
      credentials.patRW = await createPat(h, admin, 'read-write');
      credentials.none = null;
    });
    after(() => f.h.close());

    for (const [name, row] of Object.entries(ROUTES)) {
      it(`${name}: ${PRINCIPALS.map((principal, i) => `${principal} ${row.expect[i]}`).join(', ')}`, async () => {
        const seen: string[] = [];
        for (const [i, principal] of PRINCIPALS.entries()) {
          const expected = row.expect[i]!;
          const request = await row.request(f, principal, expected);
          const reply = await call(f.h, credentials[principal], row.method, request.path, request.body !== undefined ? { body: request.body } : {});
          if (reply.status !== expected) seen.push(`${principal}: ${reply.status} (expected ${expected}) ${reply.raw.slice(0, 200)}`);
          else if (!ok(expected)) assert.deepEqual(Object.keys(reply.body).filter((key) => key !== 'details'), ['error', 'message'], `${principal}: the problem shape`);
        }
        assert.deepEqual(seen, []);
      });
    }

    it('every route of the OpenAPI document is in the matrix', async () => {
      const document = (await call(f.h, null, 'GET', '/api/openapi.json')).body;
      const listed = new Set<string>();
      for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
        for (const method of Object.keys(operations)) listed.add(`${method.toUpperCase()} ${path.replace('/api/v1', '')}`);
      }
      const covered = new Set(Object.keys(ROUTES).map((name) => name.replace(/ \(.*\)$/, '')));
      // Public by design: signing in and first-owner setup.
      for (const open of ['POST /session', 'GET /setup', 'POST /setup']) covered.add(open);
      assert.deepEqual([...listed].filter((route) => !covered.has(route)).sort(), []);
    });

    it('an outsider cannot tell a foreign environment from a missing one', async () => {
      const outsider = await signIn(f.h, 'outsider@example.com');
      const owner = { pat: (await createPat(f.h, f.users.owner, 'read')).pat, userId: f.users.owner };
      const foreign = await call(f.h, outsider, 'GET', '/environments/demo/integrations');
      const missing = await call(f.h, owner, 'GET', '/environments/nowhere/integrations');
      assert.equal(foreign.status, 404);
      assert.deepEqual(foreign.body, { ...missing.body, message: missing.body.message.replace('nowhere', 'demo') });
    });

    it('lists only the environments a member belongs to', async () => {
      const session = await signIn(f.h, 'viewer@example.com');
      const listed = await call(f.h, session, 'GET', '/environments');
      assert.deepEqual(
        listed.body.data.map((env: { id: string }) => env.id),
        ['demo'],
      );
      const all = await call(f.h, { pat: (await createPat(f.h, f.users.owner, 'read')).pat, userId: f.users.owner }, 'GET', '/environments');
      assert.ok(all.body.data.length >= 2);
    });

    it('refuses to demote or delete the last owner (409)', async () => {
      const pat = { pat: (await createPat(f.h, f.users.owner, 'read-write')).pat, userId: f.users.owner };
      assert.equal((await call(f.h, pat, 'PATCH', `/users/${f.users.owner}`, { body: { platformRole: 'member' } })).status, 409);
      assert.equal((await call(f.h, pat, 'DELETE', `/users/${f.users.owner}`)).status, 409);
    });
  });
}
