import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PRESETS, SCOPES } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, ISSUER, type Harness } from './helpers/harness.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const dialect of dialects()) {
  describe(`POST /oauth/token (${dialect})`, () => {
    let h: Harness;
    let clientId: string;
    let clientSecret: string;
    let readOnly: { clientId: string; clientSecret: string };
    before(async () => {
      h = await createHarness(dialect, { env: { LATCHKEY_EXTRA_AUDIENCES: 'https://chiligrafx.com' } });
      await h.env('demo');
      ({ clientId, clientSecret } = await h.integration('demo'));
      readOnly = await h.integration('demo', { preset: 'read-only' });
    });
    after(() => h.close());
    const creds = () => ({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });

    it('answers exactly access_token, token_type, expires_in and scope, with no-store headers', async () => {
      const reply = await h.token(creds());
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.body), ['access_token', 'token_type', 'expires_in', 'scope']);
      assert.equal(reply.body.token_type, 'Bearer');
      assert.equal(reply.body.expires_in, 86400);
      assert.equal(reply.body.scope, SCOPES.join(' '));
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.equal(reply.headers.pragma, 'no-cache');
      assert.match(String(reply.headers['content-type']), /^application\/json/);
      assert.equal(reply.headers['access-control-allow-origin'], undefined, 'no CORS on the token endpoint');
    });

    it('accepts a form body with any charset, and the same token comes back', async () => {
      const json = await h.token(creds());
      const form = await h.tokenForm(creds(), { 'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1' });
      assert.equal(form.status, 200);
      assert.equal(form.body.access_token, json.body.access_token);
    });

    it('accepts client_secret_basic, form-urldecoding each half (oauth4webapi encodes _ as %5F)', async () => {
      const encoded = `Basic ${Buffer.from(`${clientId}:${clientSecret.replace(/_/g, '%5F')}`).toString('base64')}`;
      const reply = await h.tokenForm({ grant_type: 'client_credentials' }, { authorization: encoded });
      assert.equal(reply.status, 200);
      const withSameBodyId = await h.tokenForm({ grant_type: 'client_credentials', client_id: clientId }, { authorization: basic(clientId, clientSecret) });
      assert.equal(withSameBodyId.status, 200);
    });

    it('issues RFC 9068 claims', async () => {
      const reply = await h.token({ ...creds(), audience: 'https://chiligrafx.com' });
      const { header, payload } = decodeJwt(String(reply.body.access_token));
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'RS256');
      assert.equal(typeof header.kid, 'string');
      assert.equal(payload.iss, ISSUER);
      assert.equal(payload.sub, clientId);
      assert.equal(payload.client_id, clientId);
      assert.equal(payload.azp, clientId);
      assert.equal(payload.aud, 'https://chiligrafx.com');
      assert.equal(payload.gty, 'client-credentials');
      assert.equal(payload.environment, 'demo');
      assert.match(String(payload.integration_id), /^int_/);
      assert.equal(payload.scope, SCOPES.join(' '));
      assert.equal(payload.exp, Number(payload.iat) + 86400);
      assert.equal(typeof payload.jti, 'string');
    });

    describe('audience and resource', () => {
      it('defaults the audience to the issuer', async () => {
        const { payload } = decodeJwt(String((await h.token(creds())).body.access_token));
        assert.equal(payload.aud, ISSUER);
      });
      it('refuses an audience it does not serve with access_denied (403)', async () => {
        const reply = await h.token({ ...creds(), audience: 'https://elsewhere.example' });
        assert.equal(reply.status, 403);
        assert.equal(reply.body.error, 'access_denied');
      });
      it('accepts an RFC 8707 resource it serves, and refuses others with invalid_target', async () => {
        const ok = await h.tokenForm(`${new URLSearchParams(creds())}&resource=${encodeURIComponent('https://chiligrafx.com')}`);
        assert.equal(ok.status, 200);
        assert.equal(decodeJwt(String(ok.body.access_token)).payload.aud, 'https://chiligrafx.com');
        const unknown = await h.tokenForm({ ...creds(), resource: 'https://elsewhere.example' });
        assert.equal(unknown.status, 400);
        assert.equal(unknown.body.error, 'invalid_target');
      });
      it('answers a pathological resource at once, without echoing all of it', async () => {
        const started = Date.now();
        const reply = await h.tokenForm({ ...creds(), resource: `${'/'.repeat(5_000)}a/` });
        assert.equal(reply.body.error, 'invalid_target');
        assert.ok(String(reply.body.error_description).length < 300);
        assert.ok(Date.now() - started < 1000);
      });
      it('treats resources naming one audience (trailing slash or not) as one', async () => {
        const reply = await h.tokenForm(`${new URLSearchParams(creds())}&resource=${ISSUER}&resource=${ISSUER}/`);
        assert.equal(reply.status, 200);
      });
      it('lets resource repeat, but two different resources are invalid_target', async () => {
        const same = await h.tokenForm(`${new URLSearchParams(creds())}&resource=${ISSUER}&resource=${ISSUER}`);
        assert.equal(same.status, 200);
        const two = await h.tokenForm(`${new URLSearchParams(creds())}&resource=${ISSUER}&resource=https://chiligrafx.com`);
        assert.equal(two.status, 400);
        assert.equal(two.body.error, 'invalid_target');
      });
    });

    describe('scope', () => {
      it('omitted means every scope the integration holds', async () => {
        const reply = await h.token({ grant_type: 'client_credentials', client_id: readOnly.clientId, client_secret: readOnly.clientSecret });
        assert.equal(reply.body.scope, PRESETS['read-only'].join(' '));
      });
      it('a subset gives a down-scoped token, in catalog order', async () => {
        const reply = await h.token({ ...creds(), scope: 'template:read font:list template:read' });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.scope, 'font:list template:read');
        assert.equal(decodeJwt(String(reply.body.access_token)).payload.scope, 'font:list template:read');
      });
      it('an ungranted or unknown scope is invalid_scope', async () => {
        const ungranted = await h.token({ grant_type: 'client_credentials', client_id: readOnly.clientId, client_secret: readOnly.clientSecret, scope: 'template:write' });
        assert.equal(ungranted.status, 400);
        assert.equal(ungranted.body.error, 'invalid_scope');
        const unknown = await h.token({ ...creds(), scope: 'admin' });
        assert.equal(unknown.body.error, 'invalid_scope');
      });
      it('an integration holding no scope gets invalid_scope when it asks for none (RFC 6749 §3.3)', async () => {
        const empty = await h.integration('demo', { scopes: [] });
        const reply = await h.token({ grant_type: 'client_credentials', client_id: empty.clientId, client_secret: empty.clientSecret });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.error, 'invalid_scope');
      });
    });

    describe('parameters (RFC 6749 §3.2)', () => {
      it('ignores unknown parameters and treats empty values as omitted', async () => {
        const reply = await h.token({ ...creds(), foo: 'bar', scope: '', audience: '' });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.scope, SCOPES.join(' '));
      });
      it('refuses a repeated parameter with invalid_request (form and JSON)', async () => {
        const form = await h.tokenForm(`${new URLSearchParams(creds())}&scope=font:list&scope=font:read`);
        assert.equal(form.status, 400);
        assert.equal(form.body.error, 'invalid_request');
        const raw = `{"grant_type":"client_credentials","client_id":"${clientId}","client_secret":"${clientSecret}","client_id":"${clientId}"}`;
        const json = await h.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: raw });
        assert.equal(json.statusCode, 400);
        assert.equal(json.json().error, 'invalid_request');
      });
      it('reads JSON keys exactly: an escaped repeat is refused, a nested known name is ignored', async () => {
        const escaped = `{"grant_type":"password","grant\\u005ftype":"client_credentials","client_id":"${clientId}","client_secret":"${clientSecret}"}`;
        const refused = await h.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: escaped });
        assert.equal(refused.statusCode, 400);
        assert.match(refused.json().error_description, /grant_type.*repeated/);
        const nested = await h.token({ ...creds(), extra: { client_id: 'x', n: [1, { scope: 2 }] }, more: 5 });
        assert.equal(nested.status, 200, JSON.stringify(nested.body));
      });
      it('sees every resource of a JSON body, also when the key repeats', async () => {
        const body = `{"grant_type":"client_credentials","client_id":"${clientId}","client_secret":"${clientSecret}","resource":"https://elsewhere.example","resource":"${ISSUER}"}`;
        const reply = await h.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: body });
        assert.equal(reply.json().error, 'invalid_target');
        const array = await h.token({ ...creds(), resource: [ISSUER, ISSUER] });
        assert.equal(array.status, 200);
      });
      it('lets an empty value stand for omitted, so a later value is not a repeat', async () => {
        const reply = await h.tokenForm(`client_id=&${new URLSearchParams(creds())}`);
        assert.equal(reply.status, 200);
      });
      it('refuses a JSON value that is not a string, and bad JSON', async () => {
        const number = await h.token({ ...creds(), scope: 5 });
        assert.equal(number.status, 400);
        assert.equal(number.body.error, 'invalid_request');
        const broken = await h.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
        assert.equal(broken.statusCode, 400);
        assert.deepEqual(Object.keys(broken.json()), ['error', 'error_description']);
        const array = await h.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: '[]' });
        assert.equal(array.json().error, 'invalid_request');
      });
      it('refuses another content type, and a missing one, with invalid_request', async () => {
        for (const headers of [{ 'content-type': 'text/plain' }, {}]) {
          const reply = await h.app.inject({ method: 'POST', url: '/oauth/token', headers, payload: new URLSearchParams(creds()).toString() });
          assert.equal(reply.statusCode, 400, JSON.stringify(headers));
          assert.equal(reply.json().error, 'invalid_request');
          assert.equal(reply.headers['cache-control'], 'no-store');
        }
      });
      it('refuses credentials in the query string', async () => {
        const reply = await h.app.inject({
          method: 'POST',
          url: `/oauth/token?client_secret=${clientSecret}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(creds()),
        });
        assert.equal(reply.statusCode, 400);
        assert.equal(reply.json().error, 'invalid_request');
      });
      it('limits the body to 16 KiB (413)', async () => {
        const reply = await h.token({ ...creds(), padding: 'x'.repeat(17 * 1024) });
        assert.equal(reply.status, 413);
        assert.equal(reply.body.error, 'invalid_request');
        assert.equal(reply.headers['cache-control'], 'no-store');
      });
      it('answers other methods with 405 and Allow: POST', async () => {
        for (const method of ['GET', 'PUT', 'DELETE', 'OPTIONS'] as const) {
          const reply = await h.app.inject({ method, url: '/oauth/token' });
          assert.equal(reply.statusCode, 405, method);
          assert.equal(reply.headers.allow, 'POST');
        }
      });
    });

    describe('grant type', () => {
      it('requires grant_type (invalid_request) and speaks only client_credentials (unsupported_grant_type)', async () => {
        const missing = await h.token({ client_id: clientId, client_secret: clientSecret });
        assert.equal(missing.status, 400);
        assert.equal(missing.body.error, 'invalid_request');
        const other = await h.token({ ...creds(), grant_type: 'password' });
        assert.equal(other.status, 400);
        assert.equal(other.body.error, 'unsupported_grant_type');
      });
    });

    describe('client authentication', () => {
      it('gives one message for unknown client, wrong secret and disabled integration', async () => {
        const victim = await h.integration('demo');
        const other = await h.integration('demo');
        await h.app.services.integrations.update('demo', victim.id, { disabled: true });
        const replies = await Promise.all([
          h.token({ ...creds(), client_id: 'A'.repeat(32) }),
          h.token({ ...creds(), client_secret: other.clientSecret }),
          h.token({ grant_type: 'client_credentials', client_id: victim.clientId, client_secret: victim.clientSecret }),
        ]);
        for (const reply of replies) {
          assert.equal(reply.status, 401);
          assert.deepEqual(reply.body, { error: 'invalid_client', error_description: 'Client authentication failed.' });
          assert.equal(reply.headers['www-authenticate'], undefined);
        }
      });
      it('says so when the secret sent is the client id (the seeds\' Node and Java samples)', async () => {
        const reply = await h.token({ ...creds(), client_secret: clientId });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error, 'invalid_client');
        assert.match(String(reply.body.error_description), /client_secret sent is the client ID/);
      });
      it('rejects a mistyped secret by its checksum, before any lookup', async () => {
        const typo = clientSecret.slice(0, 20) + (clientSecret[20] === 'a' ? 'b' : 'a') + clientSecret.slice(21);
        const reply = await h.token({ ...creds(), client_secret: typo });
        assert.equal(reply.status, 401);
        assert.match(String(reply.body.error_description), /checksum/);
      });
      it('challenges with WWW-Authenticate: Basic when Basic was used, also for malformed values', async () => {
        for (const authorization of [basic(clientId, 'lk_secret_wrong'), 'Basic !!!notbase64', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from('a:%zz').toString('base64')}`]) {
          const reply = await h.tokenForm({ grant_type: 'client_credentials' }, { authorization });
          assert.equal(reply.status, 401, authorization);
          assert.equal(reply.body.error, 'invalid_client');
          assert.equal(reply.headers['www-authenticate'], 'Basic realm="latchkey"');
        }
      });
      it('refuses Basic plus a client_secret in the body, and a different body client_id', async () => {
        const both = await h.tokenForm(creds(), { authorization: basic(clientId, clientSecret) });
        assert.equal(both.status, 400);
        assert.equal(both.body.error, 'invalid_request');
        const differs = await h.tokenForm({ grant_type: 'client_credentials', client_id: readOnly.clientId }, { authorization: basic(clientId, clientSecret) });
        assert.equal(differs.body.error, 'invalid_request');
      });
      it('refuses a client id that cannot exist without looking it up, with the one message', async () => {
        const reply = await h.token({ ...creds(), client_id: 'x'.repeat(5000) });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error_description, 'Client authentication failed.');
      });
      it('requires credentials (invalid_client)', async () => {
        const reply = await h.token({ grant_type: 'client_credentials' });
        assert.equal(reply.status, 401);
        assert.equal(reply.body.error, 'invalid_client');
      });
    });

    describe('throttling', () => {
      it('counts IPv6 sources by /64, so rotating addresses inside one network does not evade it', async () => {
        const { throttleSource } = await import('../src/modules/oauth/client-authentication.ts');
        assert.equal(throttleSource('2001:db8:1:2::1'), throttleSource('2001:DB8:1:2:ffff::9'));
        assert.notEqual(throttleSource('2001:db8:1:2::1'), throttleSource('2001:db8:1:3::1'));
        assert.equal(throttleSource('203.0.113.9'), '203.0.113.9');
      });
      it('answers 429 with Retry-After when an address fails for one client too often, never locking the client out elsewhere', async () => {
        const target = await h.integration('demo');
        const fromAttacker = { 'x-forwarded-for': '203.0.113.9' };
        const wrong = { grant_type: 'client_credentials', client_id: target.clientId, client_secret: readOnly.clientSecret };
        const attacker = async () =>
          h.app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: '203.0.113.9', headers: { 'content-type': 'application/json', ...fromAttacker }, payload: JSON.stringify(wrong) });
        let last;
        for (let i = 0; i < 11; i++) last = await attacker();
        assert.equal(last!.statusCode, 429);
        assert.equal(last!.json().error, 'too_many_requests');
        assert.ok(Number(last!.headers['retry-after']) > 0);
        // The right credentials from another address still work: client ids are public.
        const legit = await h.token({ grant_type: 'client_credentials', client_id: target.clientId, client_secret: target.clientSecret });
        assert.equal(legit.status, 200);
        h.clock.advance(61_000);
        assert.equal((await attacker()).statusCode, 401, 'the window ends');
      });
    });
  });
}
