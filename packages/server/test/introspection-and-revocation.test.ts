import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IntegrationWithSecret } from '@latchkey/contract';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, ISSUER, type Harness } from './helpers/harness.ts';

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

for (const dialect of dialects()) {
  describe(`introspection (RFC 7662) and revocation (RFC 7009) (${dialect})`, () => {
    let h: Harness;
    let ci: IntegrationWithSecret;

    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      await h.env('other');
      ci = await h.integration('demo');
    });
    after(() => h.close());

    const tokenOf = async (integration: IntegrationWithSecret, scope?: string) =>
      (await h.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret, ...(scope ? { scope } : {}) })).body
        .access_token as string;

    const post = async (path: string, params: Record<string, string>, headers: Record<string, string> = {}) => {
      const reply = await h.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(params) });
      return { status: reply.statusCode, headers: reply.headers, body: reply.body ? JSON.parse(reply.body) : {} };
    };
    const introspect = (token: string, integration = ci) => post('/oauth/introspect', { token }, { authorization: basic(integration.clientId, integration.clientSecret) });
    const revoke = (token: string, integration = ci) => post('/oauth/revoke', { token, client_id: integration.clientId, client_secret: integration.clientSecret });

    it('describes an active token to an integration of its environment', async () => {
      const token = await tokenOf(ci);
      const { payload } = decodeJwt(token);
      const reply = await introspect(token);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.deepEqual(reply.body, {
        active: true,
        scope: payload.scope,
        client_id: ci.clientId,
        token_type: 'Bearer',
        exp: payload.exp,
        iat: payload.iat,
        sub: ci.clientId,
        aud: ISSUER,
        iss: ISSUER,
        jti: payload.jti,
        environment: 'demo',
        integration_id: ci.id,
      });
    });

    it("reports every token inactive to another environment's integration, and garbage inactive to anyone", async () => {
      const outsider = await h.integration('other');
      assert.deepEqual((await introspect(await tokenOf(ci), outsider)).body, { active: false });
      assert.deepEqual((await introspect('garbage')).body, { active: false });
    });

    it('authenticates the caller like the token endpoint does', async () => {
      const wrong = await post('/oauth/introspect', { token: 'x' }, { authorization: basic(ci.clientId, `${ci.clientSecret.slice(0, -6)}AAAAAA`) });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error, 'invalid_client');
      assert.equal(wrong.headers['www-authenticate'], 'Basic realm="latchkey"');
      const missing = await post('/oauth/introspect', {}, { authorization: basic(ci.clientId, ci.clientSecret) });
      assert.deepEqual(missing.body, { error: 'invalid_request', error_description: 'The token parameter is required.' });
      const get = await h.inject({ method: 'GET', url: '/oauth/revoke' });
      assert.equal(get.statusCode, 405);
      assert.equal(get.headers.allow, 'POST');
      assert.equal(get.headers['cache-control'], 'no-store');
    });

    it('revokes a token: refused by the Environment API at once, inactive, and never handed out again', async () => {
      const token = await tokenOf(ci);
      assert.equal((await h.api('demo', 'GET', 'templates', { token })).status, 200);
      const reply = await revoke(token);
      assert.equal(reply.status, 200);
      const refused = await h.api('demo', 'GET', 'templates', { token });
      assert.equal(refused.status, 401);
      assert.match(String(refused.headers['www-authenticate']), /error="invalid_token"/);
      assert.match(refused.body.detail, /revoked/);
      assert.deepEqual((await introspect(token)).body, { active: false });
      const next = await tokenOf(ci);
      assert.notEqual(next, token, 'reuse never hands out a revoked token');
      assert.equal((await h.api('demo', 'GET', 'templates', { token: next })).status, 200);
      const audit = await h.app.services.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'token.revoke').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor_id, ci.clientId);
      assert.ok(!JSON.stringify(audit).includes(token), 'the audit log names the jti, never the token');
    });

    it('answers 200 for an unknown or invalid token (RFC 7009 §2.2) and refuses revoking another client’s token', async () => {
      assert.equal((await revoke('garbage')).status, 200);
      const another = await h.integration('demo');
      const theirs = await tokenOf(another);
      const reply = await revoke(theirs);
      assert.equal(reply.status, 400);
      assert.equal(reply.body.error, 'unauthorized_client');
      assert.equal((await h.api('demo', 'GET', 'templates', { token: theirs })).status, 200);
    });

    it('is seen by a second node within 2 seconds', async () => {
      const second = await h.secondNode();
      const token = await tokenOf(ci);
      const onSecond = () =>
        second.inject({ method: 'GET', url: '/grafx/api/v1/environment/demo/templates', headers: { authorization: `Bearer ${token}` } });
      assert.equal((await onSecond()).statusCode, 200);
      await revoke(token);
      const started = Date.now();
      while ((await onSecond()).statusCode === 200) {
        assert.ok(Date.now() - started < 2000, 'refused within 2 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await onSecond()).statusCode, 401);
    });

    it('is advertised in discovery', async () => {
      const doc = JSON.parse((await h.inject('/.well-known/oauth-authorization-server')).body);
      assert.equal(doc.introspection_endpoint, `${ISSUER}/oauth/introspect`);
      assert.equal(doc.revocation_endpoint, `${ISSUER}/oauth/revoke`);
      assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    });
  });
}
