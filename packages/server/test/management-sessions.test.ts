// Sessions, first-owner setup, CSRF and sign-in throttling, against the production listener with a
// frozen clock (SPEC §3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, type Harness } from './helpers/harness.ts';
import { hashPassword } from '../src/modules/users/passwords.ts';
import { call, cookieOf, createPat, createUser, PASSWORD, signIn } from './helpers/management.ts';

const HOUR = 3600_000;

for (const dialect of dialects()) {
  describe(`first-owner setup (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
    });
    after(() => h.close());

    it('prints a one-time URL until an owner exists, and the URL creates the owner and signs in', async () => {
      const { setup } = h.app.services.management;
      assert.deepEqual((await call(h, null, 'GET', '/setup')).body, { required: true });
      const url = await setup.ensureSetupUrl();
      assert.match(url!, /^http:\/\/latchkey\.test\/console\/setup\?token=lk_setup_[0-9A-Za-z]{43}$/);
      assert.equal(await setup.ensureSetupUrl(), url, 'the same process prints its own link again');
      const token = new URL(url!).searchParams.get('token')!;

      const wrong = await call(h, null, 'POST', '/setup', { body: { token: `${token.slice(0, -1)}x`, email: 'first@example.com', password: PASSWORD } });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'unauthorized');
      const weak = await call(h, null, 'POST', '/setup', { body: { token, email: 'first@example.com', password: 'short' } });
      assert.equal(weak.status, 400);
      assert.deepEqual(weak.body.details, ['password must be 12 to 1024 characters']);

      const done = await call(h, null, 'POST', '/setup', { body: { token, email: 'First@Example.com', password: PASSWORD } });
      assert.equal(done.status, 201, done.raw);
      assert.equal(done.body.user.email, 'first@example.com');
      assert.equal(done.body.user.platformRole, 'owner');
      assert.equal(typeof done.body.csrfToken, 'string');
      const me = await call(h, { cookie: cookieOf(done), csrfToken: done.body.csrfToken, userId: done.body.user.id }, 'GET', '/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.email, 'first@example.com');

      const again = await call(h, null, 'POST', '/setup', { body: { token, email: 'second@example.com', password: PASSWORD } });
      assert.equal(again.status, 409, 'single use, and never once an owner exists');
      assert.equal(await setup.ensureSetupUrl(), null);
      assert.deepEqual((await call(h, null, 'GET', '/setup')).body, { required: false });
    });
  });

  describe(`a setup link (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
    });
    after(() => h.close());

    it('expires after 24 hours', async () => {
      const url = await h.app.services.management.setup.ensureSetupUrl();
      const token = new URL(url!).searchParams.get('token')!;
      h.clock.advance(24 * HOUR);
      const late = await call(h, null, 'POST', '/setup', { body: { token, email: 'late@example.com', password: PASSWORD } });
      assert.equal(late.status, 401);
      const fresh = await h.app.services.management.setup.ensureSetupUrl();
      assert.notEqual(fresh, url, 'a start after expiry prints a new link');
    });
  });

  describe(`sessions (${dialect})`, () => {
    let h: Harness;
    let ownerId: string;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      ownerId = await createUser(h, 'owner@example.com', 'owner');
    });
    after(() => h.close());

    it('sign-in sets an HttpOnly, SameSite=Strict cookie and answers the user and a CSRF token', async () => {
      const reply = await call(h, null, 'POST', '/session', { body: { email: 'OWNER@example.com ', password: PASSWORD } });
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.body).sort(), ['csrfToken', 'user']);
      assert.equal(reply.body.user.id, ownerId);
      assert.equal(reply.body.user.lastSignInAt, new Date(h.clock.now()).toISOString());
      const cookie = String(reply.headers['set-cookie']);
      assert.match(cookie, /^latchkey_session=[0-9A-Za-z]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
      assert.doesNotMatch(cookie, /Secure/, 'not Secure on an http issuer');
      assert.equal(reply.headers['cache-control'], 'no-store');
    });

    it('a wrong email and a wrong password get one 401 message', async () => {
      const wrongPassword = await call(h, null, 'POST', '/session', { body: { email: 'owner@example.com', password: 'not the password' }, remoteAddress: '198.51.100.1' });
      const wrongEmail = await call(h, null, 'POST', '/session', { body: { email: 'nobody@example.com', password: PASSWORD }, remoteAddress: '198.51.100.2' });
      assert.equal(wrongPassword.status, 401);
      assert.equal(wrongEmail.status, 401);
      assert.deepEqual(wrongPassword.body, { error: 'unauthorized', message: 'Wrong email or password.' });
      assert.deepEqual(wrongEmail.body, wrongPassword.body);
      assert.equal(wrongPassword.headers['set-cookie'], undefined);
    });

    it('stores scrypt parameters with each hash, and raises old ones at the next sign-in', async () => {
      const { db } = h.app.services.database;
      const stored = async () => (await db.selectFrom('users').select('password_hash').where('id', '=', ownerId).executeTakeFirstOrThrow()).password_hash;
      assert.match(await stored(), /^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
      await db.updateTable('users').set({ password_hash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) }).where('id', '=', ownerId).execute();
      await signIn(h, 'owner@example.com');
      assert.match(await stored(), /^scrypt\$32768\$8\$3\$/);
    });

    it('rotates the session id at sign-in: the previous cookie stops working', async () => {
      const first = await signIn(h, 'owner@example.com');
      const second = await signIn(h, 'owner@example.com', PASSWORD, { cookie: first.cookie });
      assert.notEqual(second.cookie, first.cookie);
      assert.notEqual(second.csrfToken, first.csrfToken);
      assert.equal((await call(h, first, 'GET', '/me')).status, 401);
      assert.equal((await call(h, second, 'GET', '/me')).status, 200);
    });

    it('GET /me answers the CSRF token again (a reloaded console), for sessions only', async () => {
      const session = await signIn(h, 'owner@example.com');
      const me = await call(h, session, 'GET', '/me');
      assert.deepEqual({ via: me.body.via, access: me.body.access, csrfToken: me.body.csrfToken }, { via: 'session', access: 'read-write', csrfToken: session.csrfToken });
      const pat = await createPat(h, ownerId, 'read');
      const viaPat = await call(h, pat, 'GET', '/me');
      assert.deepEqual({ via: viaPat.body.via, access: viaPat.body.access, csrfToken: viaPat.body.csrfToken }, { via: 'pat', access: 'read', csrfToken: undefined });
    });

    it('refuses a state-changing cookie request without the right X-CSRF-Token (403), reads need none', async () => {
      const session = await signIn(h, 'owner@example.com');
      const body = { name: 'csrf', preset: 'read-only' };
      const missing = await call(h, session, 'POST', '/environments/demo/integrations', { body, noCsrf: true });
      assert.equal(missing.status, 403);
      assert.equal(missing.body.error, 'forbidden');
      const wrong = await call(h, session, 'POST', '/environments/demo/integrations', { body, noCsrf: true, headers: { 'x-csrf-token': `${session.csrfToken.slice(0, -2)}xx` } });
      assert.equal(wrong.status, 403);
      for (const [method, path] of [['PATCH', '/environments/demo'], ['DELETE', '/environments/demo?confirm=demo'], ['PUT', `/environments/demo/members/${ownerId}`]] as const) {
        assert.equal((await call(h, session, method, path, { body: { role: 'admin' }, noCsrf: true })).status, 403, method);
      }
      assert.deepEqual((await h.app.services.integrations.list('demo')).map((i) => i.name), [], 'nothing was created');
      assert.equal((await call(h, session, 'GET', '/environments/demo/integrations', { noCsrf: true })).status, 200);
      assert.equal((await call(h, session, 'POST', '/environments/demo/integrations', { body })).status, 201);
    });

    it('ends after 12 idle hours, on the frozen clock', async () => {
      const session = await signIn(h, 'owner@example.com');
      h.clock.advance(11 * HOUR);
      assert.equal((await call(h, session, 'GET', '/me')).status, 200, 'a request keeps it alive');
      h.clock.advance(11 * HOUR);
      assert.equal((await call(h, session, 'GET', '/me')).status, 200);
      h.clock.advance(12 * HOUR);
      const ended = await call(h, session, 'GET', '/me');
      assert.equal(ended.status, 401);
      assert.match(String(ended.headers['set-cookie']), /^latchkey_session=;/, 'the dead cookie is cleared');
    });

    it('ends 7 days after sign-in however busy it is', async () => {
      const session = await signIn(h, 'owner@example.com');
      for (let hours = 10; hours < 7 * 24; hours += 10) {
        h.clock.advance(10 * HOUR);
        assert.equal((await call(h, session, 'GET', '/me')).status, 200, `after ${hours} hours`);
      }
      h.clock.advance(8 * HOUR); // 7 days and 8 hours in all
      assert.equal((await call(h, session, 'GET', '/me')).status, 401);
    });

    it('signs out: the cookie is cleared and the session ends on the server', async () => {
      const session = await signIn(h, 'owner@example.com');
      const out = await call(h, session, 'DELETE', '/session');
      assert.equal(out.status, 204);
      assert.match(String(out.headers['set-cookie']), /^latchkey_session=;.*Expires=Thu, 01 Jan 1970/);
      assert.equal((await call(h, session, 'GET', '/me')).status, 401);
      assert.equal((await call(h, null, 'GET', '/me')).status, 401);
    });

    it('audits sign-ins, refusals with their reason, and sign-outs as platform events', async () => {
      const owner = await signIn(h, 'owner@example.com');
      const events = (await call(h, owner, 'GET', '/audit?action=session.*&limit=500')).body.data as Array<Record<string, any>>;
      const refused = events.filter((event) => event.action === 'session.refuse');
      assert.deepEqual(new Set(refused.map((event) => event.reason)), new Set(['wrong_password', 'unknown_email']));
      const unknown = refused.find((event) => event.reason === 'unknown_email')!;
      assert.deepEqual(unknown.target, { type: 'user', id: 'unknown' }, 'the typed email is not kept: people type passwords there');
      assert.equal(unknown.address, '198.51.100.2');
      assert.ok(events.some((event) => event.action === 'session.create' && event.actor.id === ownerId && event.actor.label === 'owner@example.com'));
      assert.ok(events.some((event) => event.action === 'session.delete'));
      assert.ok(events.every((event) => event.environment === null));
    });
  });

  describe(`sign-in throttling (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
      await createUser(h, 'target@example.com');
      await createUser(h, 'bystander@example.com');
    });
    after(() => h.close());

    it('throttles an account after 10 failures from anywhere (429 + Retry-After), even with the right password', async () => {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(h, null, 'POST', '/session', { body: { email: 'target@example.com', password: `wrong ${i}` }, remoteAddress: `192.0.2.${i + 1}` }),
        ),
      );
      const throttled = await call(h, null, 'POST', '/session', { body: { email: 'target@example.com', password: PASSWORD }, remoteAddress: '192.0.2.200' });
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.error, 'too_many_requests');
      const wait = Number(throttled.headers['retry-after']);
      assert.ok(wait > 0 && wait <= 900, `Retry-After ${wait}`);
      assert.equal((await call(h, null, 'POST', '/session', { body: { email: 'bystander@example.com', password: PASSWORD }, remoteAddress: '192.0.2.200' })).status, 200, 'other accounts are not affected');
      h.clock.advance(wait * 1000);
      assert.equal((await call(h, null, 'POST', '/session', { body: { email: 'target@example.com', password: PASSWORD }, remoteAddress: '192.0.2.200' })).status, 200, 'open again after Retry-After');
    });

    it('throttles an address after 30 failures, whatever the accounts', async () => {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          call(h, null, 'POST', '/session', { body: { email: `guess${i}@example.com`, password: 'guess' }, remoteAddress: '203.0.113.9' }),
        ),
      );
      const throttled = await call(h, null, 'POST', '/session', { body: { email: 'bystander@example.com', password: PASSWORD }, remoteAddress: '203.0.113.9' });
      assert.equal(throttled.status, 429);
      assert.ok(Number(throttled.headers['retry-after']) > 0);
      assert.equal((await call(h, null, 'POST', '/session', { body: { email: 'bystander@example.com', password: PASSWORD }, remoteAddress: '203.0.113.10' })).status, 200);
      const page = await h.app.services.management.audit.list(null, { action: 'session.refuse' });
      assert.ok(page.data.some((event) => event.reason === 'throttled' && event.address === '203.0.113.9'));
    });
  });

  describe(`sessions behind https (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect, { env: { PUBLIC_URL: 'https://latchkey.example' } });
      await createUser(h, 'owner@example.com', 'owner');
    });
    after(() => h.close());

    it('the cookie is Secure and __Host- prefixed', async () => {
      const reply = await call(h, null, 'POST', '/session', { body: { email: 'owner@example.com', password: PASSWORD } });
      assert.match(String(reply.headers['set-cookie']), /^__Host-latchkey_session=[0-9A-Za-z]{43}; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
      const session = { cookie: cookieOf(reply), csrfToken: reply.body.csrfToken, userId: reply.body.user.id };
      assert.equal((await call(h, session, 'GET', '/me')).status, 200);
    });
  });
}
