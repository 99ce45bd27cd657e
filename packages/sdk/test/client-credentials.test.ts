// ClientCredentials against a real `latchkey serve` process: caching, refresh, single flight,
// retries and discovery. Failures a real server cannot produce on cue (503, 429, a dropped
// connection) come from a fetch wrapper that answers the first N calls itself and then passes
// through to the real server. The clock and the sleeps are injected: nothing here waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { ClientCredentials, OAuthError, type ClientCredentialsOptions, type FetchLike } from '../src/index.ts';
import { claims, failingFirst, json, manualClock, recordingFetch, recordingSleep, startLatchkey, type Latchkey } from './helpers/latchkey.ts';

describe('ClientCredentials against a real Latchkey server', () => {
  let lk: Latchkey;
  before(async () => {
    lk = await startLatchkey();
  });
  after(() => lk?.stop());

  const credentials = (options: Partial<ClientCredentialsOptions> = {}) =>
    new ClientCredentials({ tokenUrl: lk.tokenUrl, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, ...options });

  it('returns the cached token: the same token twice for one HTTP request', async () => {
    const fetch = recordingFetch();
    const client = credentials({ fetch });
    const first = await client.getToken();
    const second = await client.getToken();
    assert.equal(second, first);
    assert.equal(fetch.requests.length, 1);
    assert.equal(claims(first).client_id, lk.all.clientId);
  });

  it('authenticates with HTTP Basic (each half form-urlencoded) and sends only grant_type by default', async () => {
    const fetch = recordingFetch();
    await credentials({ fetch }).getToken();
    const [request] = fetch.requests;
    assert.equal(request!.method, 'POST');
    assert.equal(request!.url, lk.tokenUrl);
    assert.equal(request!.headers.get('content-type'), 'application/x-www-form-urlencoded');
    assert.equal(request!.body, 'grant_type=client_credentials');
    const basic = request!.headers.get('authorization')!;
    assert.match(basic, /^Basic /);
    // Client ids are base62 and secrets lk_secret_ + base62: `_` is form-encoded as itself by
    // URLSearchParams; the server decodes either way (RFC 6749 §2.3.1).
    assert.equal(atob(basic.slice(6)), `${lk.all.clientId}:${lk.all.clientSecret}`);
  });

  it('authenticates with client_secret_post when asked', async () => {
    const fetch = recordingFetch();
    const token = await credentials({ fetch, authMethod: 'client_secret_post', audience: lk.issuer }).getToken();
    const body = new URLSearchParams(fetch.requests[0]!.body);
    assert.equal(fetch.requests[0]!.headers.get('authorization'), null);
    assert.deepEqual(Object.fromEntries(body), {
      grant_type: 'client_credentials',
      audience: lk.issuer,
      client_id: lk.all.clientId,
      client_secret: lk.all.clientSecret,
    });
    assert.equal(claims(token).aud, lk.issuer);
  });

  it('asks for a down-scoped token with `scope` (a string or a list)', async () => {
    const fromList = await credentials({ scope: ['template:read', 'template:list'] }).getToken();
    const fromString = await credentials({ scope: 'template:list template:read' }).getToken();
    assert.equal(claims(fromList).scope, 'template:list template:read');
    assert.equal(fromString, fromList, 'the same scope set is the same reused token');
  });

  it('refreshes within refreshMarginSeconds of expiry, checked against the clock at each call', async () => {
    const clock = manualClock(Date.now());
    let expiresIn = 0;
    const fetch = recordingFetch(async (input, init) => {
      const response = await globalThis.fetch(input, init);
      expiresIn = ((await response.clone().json()) as { expires_in: number }).expires_in;
      return response;
    });
    const client = credentials({ fetch, clock: clock.now, refreshMarginSeconds: 120, jitterSeconds: 0 });
    const start = clock.now();
    const token = await client.getToken();
    assert.ok(expiresIn > 3600, `expires_in ${expiresIn}`);

    clock.set(start + (expiresIn - 120) * 1000 - 1); // 1 ms before the margin
    assert.equal(await client.getToken(), token);
    assert.equal(fetch.requests.length, 1);

    clock.set(start + (expiresIn - 120) * 1000); // at the margin
    await client.getToken();
    assert.equal(fetch.requests.length, 2);
    assert.equal(await client.getToken(), await client.getToken());
    assert.equal(fetch.requests.length, 2, 'the new token is cached in turn');
  });

  it('adds a random 0–jitterSeconds to the margin, drawn once per token', async () => {
    const clock = manualClock(Date.now());
    let expiresIn = 0;
    const fetch = recordingFetch(async (input, init) => {
      const response = await globalThis.fetch(input, init);
      expiresIn = ((await response.clone().json()) as { expires_in: number }).expires_in;
      return response;
    });
    // random 0.5 × jitter 40 s + margin 60 s = refresh 80 s before expiry.
    const client = credentials({ fetch, clock: clock.now, random: () => 0.5, refreshMarginSeconds: 60, jitterSeconds: 40 });
    const start = clock.now();
    await client.getToken();
    clock.set(start + (expiresIn - 80) * 1000 - 1);
    await client.getToken();
    assert.equal(fetch.requests.length, 1);
    clock.set(start + (expiresIn - 80) * 1000);
    await client.getToken();
    assert.equal(fetch.requests.length, 2);
  });

  it('sends one token request for 100 concurrent callers (single flight)', async () => {
    const fetch = recordingFetch();
    const client = credentials({ fetch });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => client.getToken()));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(fetch.requests.length, 1);
  });

  it('never retries a 4xx: a wrong secret is one request and OAuthError invalid_client', async () => {
    const fetch = recordingFetch();
    const sleep = recordingSleep();
    const wrong = `${lk.all.clientSecret.slice(0, -1)}${lk.all.clientSecret.endsWith('A') ? 'B' : 'A'}`;
    const client = credentials({ fetch, sleep, clientSecret: wrong });
    const error = await client.getToken().then(
      () => assert.fail('a wrong secret got a token'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof OAuthError);
    assert.equal(error.name, 'OAuthError');
    assert.equal(error.error, 'invalid_client');
    assert.equal(error.status, 401);
    assert.equal(typeof error.error_description, 'string');
    assert.equal(error.transient, false);
    assert.equal(fetch.requests.length, 1);
    assert.deepEqual(sleep.delays, []);
  });

  it('never retries invalid_scope (400)', async () => {
    const fetch = recordingFetch();
    const error = await credentials({ fetch, scope: 'template:read not:a-scope' }).getToken().catch((e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'invalid_scope');
    assert.equal(error.status, 400);
    assert.equal(fetch.requests.length, 1);
  });

  it('retries 503 with exponential backoff and full jitter, then gets the token', async () => {
    const sleep = recordingSleep();
    const fetch = recordingFetch(failingFirst([() => json(503, { error: 'temporarily_unavailable' }), () => new Response('busy', { status: 503 })]));
    const token = await credentials({ fetch, sleep, random: () => 0.5, retry: { baseDelayMs: 100, maxDelayMs: 10_000 } }).getToken();
    assert.equal(claims(token).client_id, lk.all.clientId);
    assert.equal(fetch.requests.length, 3);
    // Full jitter: random × min(max, base × 2^attempt) → 0.5 × 100, 0.5 × 200.
    assert.deepEqual(sleep.delays, [50, 100]);
  });

  it('waits as long as a 429 Retry-After (seconds) says before retrying', async () => {
    const sleep = recordingSleep();
    const fetch = recordingFetch(failingFirst([() => json(429, { error: 'too_many_requests' }, { 'retry-after': '3' })]));
    await credentials({ fetch, sleep, random: () => 0.5 }).getToken();
    assert.equal(fetch.requests.length, 2);
    assert.deepEqual(sleep.delays, [3000]);
  });

  it('reads a Retry-After HTTP date against the clock', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const sleep = recordingSleep();
    const fetch = recordingFetch(failingFirst([() => json(429, { error: 'too_many_requests' }, { 'retry-after': 'Thu, 01 Jan 2026 12:00:05 GMT' })]));
    await credentials({ fetch, sleep, clock: clock.now, random: () => 0 }).getToken();
    assert.deepEqual(sleep.delays, [5000]);
  });

  it('does not wait for a Retry-After beyond maxDelayMs: throws too_many_requests with retryAfterSeconds', async () => {
    const sleep = recordingSleep();
    const fetch = recordingFetch(failingFirst([() => json(429, { error: 'too_many_requests', error_description: 'slow down' }, { 'retry-after': '120' })]));
    const error = await credentials({ fetch, sleep, retry: { maxDelayMs: 10_000 } }).getToken().catch((e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'too_many_requests');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 120);
    assert.equal(fetch.requests.length, 1);
    assert.deepEqual(sleep.delays, []);
  });

  it('retries network errors, and reports network_error when retries run out', async () => {
    const sleep = recordingSleep();
    const dropped = () => new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
    const recovering = recordingFetch(failingFirst([dropped, dropped]));
    assert.ok(await credentials({ fetch: recovering, sleep }).getToken());
    assert.equal(recovering.requests.length, 3);

    const down = recordingFetch(failingFirst([dropped, dropped, dropped]));
    const error = await credentials({ fetch: down, sleep, retry: { retries: 2 } }).getToken().catch((e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'network_error');
    assert.equal(error.status, undefined);
    assert.match(error.message, /ECONNRESET/);
    assert.equal(down.requests.length, 3);
  });

  it('reports the last 5xx when retries run out', async () => {
    const sleep = recordingSleep();
    const fetch = recordingFetch(failingFirst(Array.from({ length: 4 }, () => () => new Response('<html>bad gateway</html>', { status: 502 }))));
    const error = await credentials({ fetch, sleep }).getToken().catch((e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'server_error');
    assert.equal(error.status, 502);
    assert.equal(fetch.requests.length, 4, 'the first attempt and 3 retries');
    assert.equal(sleep.delays.length, 3);
  });

  it('discovers the token endpoint from the issuer (RFC 8414), once', async () => {
    const fetch = recordingFetch();
    const client = new ClientCredentials({ issuer: lk.issuer, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, fetch });
    await Promise.all([client.getToken(), client.getToken()]);
    client.invalidate();
    await client.getToken();
    assert.deepEqual(
      fetch.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`),
      ['GET /.well-known/oauth-authorization-server', 'POST /oauth/token', 'POST /oauth/token'],
    );
    assert.equal(await client.tokenEndpoint(), lk.tokenUrl);
  });

  it('revokes its token (RFC 7009, endpoint from discovery): the server refuses it, and the next getToken() gets a new one', async () => {
    const fetch = recordingFetch();
    const client = new ClientCredentials({ issuer: lk.issuer, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, scope: 'font:list', fetch });
    const revoked = await client.getToken();
    await client.revoke();
    const revocation = fetch.to('/oauth/revoke');
    assert.equal(revocation.length, 1);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(revocation[0]!.body)), { token: revoked, token_type_hint: 'access_token' });

    const introspect = async (token: string) =>
      (await (await globalThis.fetch(`${lk.url}/oauth/introspect`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${lk.all.clientId}:${lk.all.clientSecret}`)}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      })).json()) as { active: boolean };
    assert.equal((await introspect(revoked)).active, false);
    const fresh = await client.getToken();
    assert.notEqual(fresh, revoked, 'revocation ends reuse');
    assert.equal((await introspect(fresh)).active, true);
  });

  it('falls back to /.well-known/openid-configuration', async () => {
    const fetch = recordingFetch((input, init) =>
      String(input).endsWith('/oauth-authorization-server') ? Promise.resolve(new Response('not found', { status: 404 })) : globalThis.fetch(input, init),
    );
    const client = new ClientCredentials({ issuer: lk.issuer, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, fetch });
    assert.ok(await client.getToken());
    assert.deepEqual(
      fetch.requests.map((r) => new URL(r.url).pathname),
      ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration', '/oauth/token'],
    );
  });
});

describe('ClientCredentials without a server', () => {
  const tokenReply = (token: string, expiresIn = 3600) => json(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'template:read' });
  const base = { tokenUrl: 'https://lk.example.com/oauth/token', clientId: 'client', clientSecret: 'lk_secret_x' };

  it('refuses the Client ID as the secret (the GraFx samples\' mistake) at construction', () => {
    assert.throws(() => new ClientCredentials({ ...base, clientSecret: 'client' }), /Client Secret/);
    assert.throws(() => new ClientCredentials({ clientId: 'a', clientSecret: 'b' } as ClientCredentialsOptions), /tokenUrl or issuer/);
  });

  it('form-urlencodes id and secret before base64 for Basic (RFC 6749 §2.3.1)', async () => {
    const fetch = recordingFetch(async () => tokenReply('t'));
    await new ClientCredentials({ ...base, clientId: 'a:b c', clientSecret: 'p@ss/wörd+', fetch }).getToken();
    assert.equal(atob(fetch.requests[0]!.headers.get('authorization')!.slice(6)), 'a%3Ab+c:p%40ss%2Fw%C3%B6rd%2B');
  });

  it('keeps a still-valid token when its refresh fails transiently, and tries again later', async () => {
    const clock = manualClock();
    const sleep = recordingSleep();
    let calls = 0;
    const fetch: FetchLike = async () => (++calls === 1 ? tokenReply('t1', 3600) : calls <= 5 ? new Response('', { status: 503 }) : tokenReply('t2', 3600));
    const client = new ClientCredentials({ ...base, fetch, clock: clock.now, sleep, refreshMarginSeconds: 300, jitterSeconds: 0 });
    assert.equal(await client.getToken(), 't1');
    clock.advance(3400_000); // 200 s left: within the margin
    assert.equal(await client.getToken(), 't1', 'the refresh failed (4 × 503) but t1 is still valid');
    assert.equal(calls, 5);
    assert.equal(await client.getToken(), 't1', 'no new attempt right away');
    assert.equal(calls, 5);
    clock.advance(30_000);
    assert.equal(await client.getToken(), 't2');
  });

  it('throws a definitive refusal during the refresh window (the integration was disabled)', async () => {
    const clock = manualClock();
    let calls = 0;
    const fetch: FetchLike = async () => (++calls === 1 ? tokenReply('t1') : json(401, { error: 'invalid_client', error_description: 'Client authentication failed.' }));
    const client = new ClientCredentials({ ...base, fetch, clock: clock.now, jitterSeconds: 0 });
    await client.getToken();
    clock.advance(3590_000);
    await assert.rejects(client.getToken(), { name: 'OAuthError', error: 'invalid_client', status: 401 });
  });

  it('waits for a new token once the old one has expired', async () => {
    const clock = manualClock();
    const tokens = ['t1', 't2'];
    const client = new ClientCredentials({ ...base, fetch: async () => tokenReply(tokens.shift()!, 60), clock: clock.now });
    assert.equal(await client.getToken(), 't1');
    clock.advance(60_000);
    assert.equal(await client.getToken(), 't2');
  });

  it('never refreshes on every call when the margin exceeds the lifetime (refresh at half-life at the latest)', async () => {
    const clock = manualClock();
    let calls = 0;
    const client = new ClientCredentials({ ...base, fetch: async () => (calls++, tokenReply(`t${calls}`, 100)), clock: clock.now, refreshMarginSeconds: 300 });
    await client.getToken();
    clock.advance(49_000);
    await client.getToken();
    assert.equal(calls, 1);
    clock.advance(1_000);
    await client.getToken();
    assert.equal(calls, 2);
  });

  it('invalidate(token) drops only that token', async () => {
    let calls = 0;
    const client = new ClientCredentials({ ...base, fetch: async () => tokenReply(`t${++calls}`) });
    assert.equal(await client.getToken(), 't1');
    client.invalidate('t0');
    assert.equal(await client.getToken(), 't1');
    client.invalidate('t1');
    assert.equal(await client.getToken(), 't2');
  });

  it('refuses a response without a bearer access_token', async () => {
    const noToken = new ClientCredentials({ ...base, fetch: async () => json(200, { token_type: 'Bearer' }) });
    await assert.rejects(noToken.getToken(), { name: 'OAuthError', error: 'invalid_response' });
    const mac = new ClientCredentials({ ...base, fetch: async () => json(200, { access_token: 'x', token_type: 'mac' }) });
    await assert.rejects(mac.getToken(), { name: 'OAuthError', error: 'invalid_response' });
  });

  it('reports a redirect instead of sending the credentials after it', async () => {
    const fetch = recordingFetch(async () => new Response(null, { status: 301, headers: { location: 'https://elsewhere.example.com/oauth/token' } }));
    const error = await new ClientCredentials({ ...base, fetch }).getToken().catch((e: unknown) => e);
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'invalid_response');
    assert.match(error.message, /redirected to https:\/\/elsewhere\.example\.com/);
    assert.equal(fetch.requests[0]!.headers.get('authorization')?.startsWith('Basic '), true);
    assert.equal(fetch.requests.length, 1);
  });

  it('refuses discovery metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const fetch: FetchLike = async () => json(200, { issuer: 'https://evil.example.com', token_endpoint: 'https://evil.example.com/token' });
    const client = new ClientCredentials({ issuer: 'https://lk.example.com', clientId: 'c', clientSecret: 's', fetch });
    await assert.rejects(client.getToken(), { name: 'OAuthError', error: 'discovery_failed' });
  });

  it('uses the RFC 8414 location for an issuer with a path, then the appended ones', async () => {
    const fetch = recordingFetch(async (input) =>
      String(input) === 'https://lk.example.com/tenant/.well-known/openid-configuration'
        ? json(200, { issuer: 'https://lk.example.com/tenant', token_endpoint: 'https://lk.example.com/tenant/oauth/token' })
        : String(input).endsWith('/oauth/token')
          ? tokenReply('t')
          : new Response('', { status: 404 }),
    );
    await new ClientCredentials({ issuer: 'https://lk.example.com/tenant/', clientId: 'c', clientSecret: 's', fetch }).getToken();
    assert.deepEqual(
      fetch.requests.map((r) => r.url),
      [
        'https://lk.example.com/.well-known/oauth-authorization-server/tenant',
        'https://lk.example.com/tenant/.well-known/oauth-authorization-server',
        'https://lk.example.com/tenant/.well-known/openid-configuration',
        'https://lk.example.com/tenant/oauth/token',
      ],
    );
  });

  it('never shows the secret or the token when logged', async () => {
    const client = new ClientCredentials({ ...base, clientSecret: 'lk_secret_do-not-print', fetch: async () => tokenReply('token-do-not-print') });
    await client.getToken();
    for (const text of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client)]) {
      assert.doesNotMatch(text, /do-not-print/);
    }
  });

  it('gives up an attempt after timeoutMs and retries it like a network error', async () => {
    const sleep = recordingSleep();
    let attempts = 0;
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        attempts++;
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    // AbortSignal.timeout's timer does not keep Node alive (a real hanging socket would).
    const keepAlive = setInterval(() => undefined, 1000);
    const error = await new ClientCredentials({ ...base, fetch: hanging, sleep, timeoutMs: 20, retry: { retries: 1 } })
      .getToken()
      .catch((e: unknown) => e)
      .finally(() => clearInterval(keepAlive));
    assert.ok(error instanceof OAuthError);
    assert.equal(error.error, 'network_error');
    assert.match(error.message, /timeout|aborted/i);
    assert.equal(attempts, 2);
  });

  it('revokes the cached token at /oauth/revoke (RFC 7009) with client authentication, then fetches a new one', async () => {
    let minted = 0;
    const fetch = recordingFetch(async (input) => (String(input).endsWith('/revoke') ? new Response(null, { status: 200 }) : tokenReply(`t${++minted}`)));
    const client = new ClientCredentials({ ...base, fetch });
    await client.revoke(); // nothing cached: no request
    assert.equal(fetch.requests.length, 0);
    assert.equal(await client.getToken(), 't1');
    await client.revoke();
    const revocation = fetch.requests[1]!;
    assert.equal(revocation.url, 'https://lk.example.com/oauth/revoke');
    assert.equal(revocation.method, 'POST');
    assert.match(revocation.headers.get('authorization')!, /^Basic /);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(revocation.body)), { token: 't1', token_type_hint: 'access_token' });
    assert.equal(await client.getToken(), 't2');
  });

  it('throws OAuthError when revocation is refused', async () => {
    const fetch: FetchLike = async (input) => (String(input).endsWith('/revoke') ? json(400, { error: 'unsupported_token_type' }) : tokenReply('t'));
    const client = new ClientCredentials({ ...base, fetch, revocationUrl: 'https://lk.example.com/oauth2/revoke' });
    await client.getToken();
    await assert.rejects(client.revoke(), { name: 'OAuthError', error: 'unsupported_token_type', status: 400 });
  });
});
