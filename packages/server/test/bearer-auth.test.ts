import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signJwt } from '../src/modules/keys/jwt.ts';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, type Harness } from './helpers/harness.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Asserts an RFC 6750 refusal in whole: status, challenge, problem body. */
function expectBearerError(reply: { status: number; headers: Record<string, unknown>; body: any }, status: number, challenge: RegExp | string) {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  const header = String(reply.headers['www-authenticate']);
  if (typeof challenge === 'string') assert.equal(header, challenge);
  else assert.match(header, challenge);
  assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
  assert.equal(reply.body.status, status);
  assert.equal(typeof reply.body.title, 'string');
  assert.equal(typeof reply.body.detail, 'string');
  assert.match(reply.body.type, /^https:\/\//);
}

for (const dialect of dialects()) {
  describe(`Environment API bearer authentication (${dialect})`, () => {
    let h: Harness;
    let token: string;
    let readOnly: string;

    before(async () => {
      h = await createHarness(dialect, { env: { LATCHKEY_CORS_ORIGINS: 'https://studio.example' } });
      await h.env('demo');
      await h.env('other');
      token = await h.apiToken('demo');
      readOnly = await h.apiToken('demo', { preset: 'read-only' });
    });
    after(() => h.close());

    /** A token with chosen claims, signed by the server's own current key (for claim checks). */
    const forge = async (claims: Record<string, unknown>, header?: Record<string, unknown>) => {
      const key = await h.app.services.signingKeys.signer();
      const base = decodeJwt(token).payload;
      if (!header) return signJwt(key, { ...base, jti: `forged${Math.random()}`, ...claims });
      const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })}.${b64({ ...base, ...claims })}`;
      const signature = createSign('sha256').update(input).sign(key.privateKey).toString('base64url');
      return `${input}.${signature}`;
    };

    it('accepts a good token, and the environment in the path in any case', async () => {
      assert.equal((await h.api('demo', 'GET', 'templates', { token })).status, 200);
      assert.equal((await h.api('DEMO', 'GET', 'templates', { token })).status, 200);
    });

    it('guards the HEAD routes Fastify adds for GETs exactly like the GETs', async () => {
      assert.equal((await h.api('demo', 'HEAD', 'templates')).status, 401);
      assert.equal((await h.api('demo', 'HEAD', 'templates', { token })).status, 200);
      assert.equal((await h.api('demo', 'HEAD', 'templates', { token: await h.apiToken('demo', { scopes: ['media:list'] }) })).status, 403);
    });

    it('asks for a token with the bare challenge when none is sent (RFC 6750 §3.1)', async () => {
      expectBearerError(await h.api('demo', 'GET', 'templates'), 401, 'Bearer realm="latchkey"');
      expectBearerError(await h.api('demo', 'GET', 'templates', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'Bearer realm="latchkey"');
    });

    it('refuses a token without the route scope with insufficient_scope and the scope needed', async () => {
      const reply = await h.api('demo', 'POST', 'templates?name=x&folderPath=/', { token: readOnly, body: { doc: 1 } });
      expectBearerError(reply, 403, /^Bearer realm="latchkey", error="insufficient_scope", error_description="[^"]+", scope="template:write"$/);
    });

    const hostile: Array<[string, () => Promise<string>, RegExp]> = [
      ['alg none', async () => `${b64({ alg: 'none', typ: 'at+jwt', kid: decodeJwt(token).header.kid })}.${token.split('.')[1]}.`, /malformed|algorithm/],
      [
        'HS256 signed with the public key as secret',
        async () => {
          const { kid } = decodeJwt(token).header;
          const jwk = JSON.parse((await h.inject('/.well-known/jwks.json')).body).keys[0];
          const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${token.split('.')[1]}`;
          return `${input}.${createHmac('sha256', JSON.stringify(jwk)).update(input).digest('base64url')}`;
        },
        /algorithm/,
      ],
      [
        'an unknown kid',
        async () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          const input = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'nope' })}.${token.split('.')[1]}`;
          return `${input}.${createSign('sha256').update(input).sign(privateKey).toString('base64url')}`;
        },
        /key/,
      ],
      [
        'a key from another Latchkey',
        async () => {
          const otherServer = await createHarness(dialect);
          try {
            await otherServer.env('demo');
            return await otherServer.apiToken('demo');
          } finally {
            await otherServer.close();
          }
        },
        /key|issued/,
      ],
      ['a tampered claim', async () => { const [a, , c] = token.split('.'); return `${a}.${b64({ ...decodeJwt(token).payload, scope: 'template:write' })}.${c}`; }, /signature/],
      ['a wrong audience', () => forge({ aud: 'https://elsewhere.example' }), /audience/],
      ['a wrong issuer', () => forge({ iss: 'https://evil.example' }), /issued by another/],
      ['a wrong typ', () => forge({}, { typ: 'JWT' }), /typ/],
      ['not yet valid', () => forge({ iat: Math.floor(h.clock.now() / 1000) + 120, nbf: Math.floor(h.clock.now() / 1000) + 120 }), /not valid yet/],
      ['expired', () => forge({ exp: Math.floor(h.clock.now() / 1000) - 1 }), /expired/],
      ['garbage', async () => 'not.a.jwt', /malformed/],
    ];
    for (const [name, make, why] of hostile) {
      it(`refuses ${name} with invalid_token`, async () => {
        const reply = await h.api('demo', 'GET', 'templates', { token: await make() });
        expectBearerError(reply, 401, /^Bearer realm="latchkey", error="invalid_token", error_description="[^"]+"$/);
        assert.match(reply.body.detail, why);
      });
    }

    it("refuses another environment's token", async () => {
      const foreign = await h.apiToken('other');
      const reply = await h.api('demo', 'GET', 'templates', { token: foreign });
      expectBearerError(reply, 401, /error="invalid_token"/);
      assert.match(reply.body.detail, /another environment/);
    });

    it('refuses the tokens of a disabled, then a deleted integration, and tokens revoked all at once', async () => {
      const integration = await h.integration('demo');
      const mine = (await h.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret })).body.access_token as string;
      assert.equal((await h.api('demo', 'GET', 'templates', { token: mine })).status, 200);
      await h.app.services.integrations.revokeTokens('demo', integration.id);
      assert.match((await h.api('demo', 'GET', 'templates', { token: mine })).body.detail, /revoked/);
      h.clock.advance(2000);
      const fresh = (await h.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret })).body.access_token as string;
      assert.notEqual(fresh, mine);
      assert.equal((await h.api('demo', 'GET', 'templates', { token: fresh })).status, 200);
      await h.app.services.integrations.update('demo', integration.id, { disabled: true });
      assert.equal((await h.api('demo', 'GET', 'templates', { token: fresh })).status, 401);
      await h.app.services.integrations.delete('demo', integration.id);
      const gone = await h.api('demo', 'GET', 'templates', { token: fresh });
      assert.equal(gone.status, 401);
      assert.match(gone.body.detail, /no longer exists/);
    });

    it('refuses an expired token with 401, even one it verified before', async () => {
      const env = await h.env('short', { tokenTtlSeconds: 120, tokenReuseWindowSeconds: 60 });
      const short = await h.apiToken(env);
      assert.equal((await h.api(env, 'GET', 'templates', { token: short })).status, 200);
      h.clock.advance(121_000);
      const reply = await h.api(env, 'GET', 'templates', { token: short });
      expectBearerError(reply, 401, /error="invalid_token"/);
      assert.match(reply.body.detail, /expired/);
    });

    describe('browsers', () => {
      it('refuses a token with write scopes on a request with an Origin header, and says why', async () => {
        const reply = await h.api('demo', 'GET', 'templates', { token, headers: { origin: 'https://studio.example' } });
        assert.equal(reply.status, 403);
        assert.match(reply.body.detail, /must never be used in a browser/);
        assert.match(reply.body.detail, /allowBrowserWrites/);
        assert.equal(reply.headers['access-control-allow-origin'], 'https://studio.example', 'a browser can read why');
      });

      it('accepts a read-only token from a browser, with CORS headers', async () => {
        const reply = await h.api('demo', 'GET', 'templates', { token: readOnly, headers: { origin: 'https://studio.example' } });
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['access-control-allow-origin'], 'https://studio.example');
      });

      it('accepts a write token from a browser once the integration allows browser writes', async () => {
        const integration = await h.integration('demo');
        await h.app.services.integrations.update('demo', integration.id, { allowBrowserWrites: true });
        const reply = await h.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret });
        const studio = reply.body.access_token as string;
        assert.equal((await h.api('demo', 'GET', 'templates', { token: studio, headers: { origin: 'https://studio.example' } })).status, 200);
      });

      it('answers a CORS preflight without credentials, for configured origins only', async () => {
        const preflight = await h.inject({
          method: 'OPTIONS',
          url: '/grafx/api/v1/environment/demo/templates',
          headers: { origin: 'https://studio.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
        });
        assert.equal(preflight.statusCode, 204);
        assert.equal(preflight.headers['access-control-allow-origin'], 'https://studio.example');
        assert.match(String(preflight.headers['access-control-allow-headers']), /Authorization/i);
        const stranger = await h.inject({
          method: 'OPTIONS',
          url: '/grafx/api/v1/environment/demo/templates',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
        });
        assert.equal(stranger.headers['access-control-allow-origin'], undefined);
      });
    });

    it('answers unknown Environment API paths with a problem 404', async () => {
      const reply = await h.api('demo', 'GET', 'nothing-here', { token });
      assert.equal(reply.status, 404);
      assert.match(String(reply.headers['content-type']), /^application\/problem\+json/);
    });

    it('verifies a known token from its cache, which a key rotation empties', async () => {
      assert.equal((await h.api('demo', 'GET', 'templates', { token })).status, 200);
      await h.app.services.signingKeys.rotate({ emergency: true });
      const reply = await h.api('demo', 'GET', 'templates', { token });
      expectBearerError(reply, 401, /error="invalid_token"/);
      token = await h.apiToken('demo');
      readOnly = await h.apiToken('demo', { preset: 'read-only' });
    });
  });
}
