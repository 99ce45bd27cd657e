import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, ISSUER, type Harness } from './helpers/harness.ts';
import { JWKS_MAX_AGE_SECONDS } from '../src/modules/keys/signing-keys.service.ts';

const credsOf = (i: { clientId: string; clientSecret: string }) => ({ grant_type: 'client_credentials', client_id: i.clientId, client_secret: i.clientSecret });

async function jwks(h: Harness): Promise<JSONWebKeySet> {
  const reply = await h.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  assert.equal(reply.statusCode, 200);
  assert.equal(reply.headers['cache-control'], `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
  return reply.json() as JSONWebKeySet;
}

/** Verifies as a standard verifier would: with jose, against the published JWKS. */
async function verify(h: Harness, token: string, algorithms: string[]) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await jwks(h)), {
    issuer: ISSUER,
    audience: ISSUER,
    typ: 'at+jwt',
    algorithms,
    currentDate: new Date(h.clock.now()),
  });
  return { payload, protectedHeader };
}

for (const dialect of dialects()) {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    describe(`${alg} access tokens (${dialect})`, () => {
      let h: Harness;
      before(async () => {
        h = await createHarness(dialect, { env: { LATCHKEY_SIGNING_ALG: alg } });
        await h.env('demo');
      });
      after(() => h.close());

      it('verify with jose against the JWKS, typ at+jwt', async () => {
        const reply = await h.token(credsOf(await h.integration('demo')));
        const { payload, protectedHeader } = await verify(h, String(reply.body.access_token), [alg]);
        assert.equal(protectedHeader.alg, alg);
        assert.equal(payload.gty, 'client-credentials');
      });

      it('discovery lists the algorithm of every published key', async () => {
        const doc = (await h.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
        assert.deepEqual(doc.id_token_signing_alg_values_supported, [alg]);
      });
    });
  }

  describe(`signing keys and discovery (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
    });
    after(() => h.close());

    it('publishes RFC 8414 and OpenID discovery documents with the exact issuer', async () => {
      for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
        const doc = (await h.app.inject({ method: 'GET', url })).json();
        assert.equal(doc.issuer, ISSUER);
        assert.equal(doc.token_endpoint, `${ISSUER}/oauth/token`);
        assert.equal(doc.jwks_uri, `${ISSUER}/.well-known/jwks.json`);
        assert.deepEqual(doc.grant_types_supported, ['client_credentials']);
        assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
        assert.equal(doc.scopes_supported.length, 17);
      }
    });

    it('stores private keys encrypted', async () => {
      const rows = await h.app.services.database.db.selectFrom('signing_keys').selectAll().execute();
      assert.ok(rows.length >= 1);
      for (const row of rows) {
        assert.ok(!row.private_key.includes('PRIVATE KEY'));
        assert.equal(row.master_key_id, h.app.services.keyring.id);
      }
    });

    it('rotation publishes the new key at once, signs with it after one JWKS max-age, and never breaks a live token', async () => {
      const integration = await h.integration('demo');
      const oldToken = String((await h.token(credsOf(integration))).body.access_token);
      const oldKid = decodeJwt(oldToken).header.kid;
      const rotation = await h.app.services.signingKeys.rotate();
      const published = (await jwks(h)).keys.map((key) => key.kid);
      assert.deepEqual(published.sort(), [oldKid, rotation.kid].sort(), 'both keys published at once');

      const duringWait = await h.integration('demo');
      const waiting = String((await h.token(credsOf(duringWait))).body.access_token);
      assert.equal(decodeJwt(waiting).header.kid, oldKid, 'the new key does not sign before verifiers can have it');

      h.clock.advance(JWKS_MAX_AGE_SECONDS * 1000);
      const fresh = await h.integration('demo');
      const newToken = String((await h.token(credsOf(fresh))).body.access_token);
      assert.equal(decodeJwt(newToken).header.kid, rotation.kid);

      // The old key's reused token is still handed out and still verifies.
      const reused = String((await h.token(credsOf(integration))).body.access_token);
      assert.equal(reused, oldToken);
      await verify(h, oldToken, ['RS256']);
      await verify(h, newToken, ['RS256']);

      h.clock.advance(86_400_000);
      assert.ok((await jwks(h)).keys.some((key) => key.kid === oldKid), 'published until every token it signed expired');
      h.clock.advance(30 * 86_400_000);
      await h.app.services.signingKeys.load();
      assert.ok(!(await jwks(h)).keys.some((key) => key.kid === oldKid), 'unpublished after the longest possible lifetime');
    });

    it('emergency rotation retires the old key and its tokens at once', async () => {
      const integration = await h.integration('demo');
      const before = String((await h.token(credsOf(integration))).body.access_token);
      const oldKid = decodeJwt(before).header.kid;
      const rotation = await h.app.services.signingKeys.rotate({ emergency: true });
      const keys = (await jwks(h)).keys.map((key) => key.kid);
      assert.ok(!keys.includes(oldKid as string), 'old key no longer published');
      const after = String((await h.token(credsOf(integration))).body.access_token);
      assert.notEqual(after, before, 'the revoked key\'s reused token is not handed out again');
      assert.equal(decodeJwt(after).header.kid, rotation.kid, 'the new key signs at once');
      await assert.rejects(verify(h, before, ['RS256']));
    });

    it('a rotation made by another process reaches this node through the change feed', async () => {
      const second = await h.secondNode();
      const rotation = await second.services.signingKeys.rotate();
      const started = Date.now();
      for (;;) {
        const kids = (await jwks(h)).keys.map((key) => key.kid);
        if (kids.includes(rotation.kid)) break;
        assert.ok(Date.now() - started < 1000, 'not published within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  });
}
