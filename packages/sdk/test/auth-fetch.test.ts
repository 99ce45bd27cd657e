// createAuthFetch: the bearer header, and after a 401 one refresh and one retry. The tokens come
// from a real `latchkey serve`; the resource is a small node:http stub that refuses the tokens
// the test says were revoked (the Environment API has its own suite).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ClientCredentials, createAuthFetch, type FetchLike, type TokenSource } from '../src/index.ts';
import { recordingFetch, startLatchkey, type Latchkey } from './helpers/latchkey.ts';

interface Stub {
  url: string;
  seen: Array<{ method: string; authorization: string | undefined; body: string }>;
  refused: Set<string>;
  close(): Promise<void>;
}

/** A resource server: 401 invalid_token for a refused token, else 200 echoing the body. */
async function startResourceStub(): Promise<Stub> {
  const seen: Stub['seen'] = [];
  const refused = new Set<string>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const authorization = request.headers.authorization;
      seen.push({ method: request.method!, authorization, body });
      const token = authorization?.replace(/^Bearer /, '') ?? '';
      if (!token || refused.has(token)) {
        response.writeHead(401, { 'www-authenticate': 'Bearer realm="stub", error="invalid_token", error_description="revoked"', 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'revoked' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/resource`, seen, refused, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('createAuthFetch with tokens from a real Latchkey server', () => {
  let lk: Latchkey;
  let stub: Stub;
  before(async () => {
    [lk, stub] = await Promise.all([startLatchkey(), startResourceStub()]);
  });
  after(async () => {
    await stub?.close();
    await lk?.stop();
  });

  it('sends the bearer token, and after a 401 refreshes once and retries once', async () => {
    const tokenFetch = recordingFetch();
    const credentials = new ClientCredentials({ tokenUrl: lk.tokenUrl, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, fetch: tokenFetch });
    const authFetch = createAuthFetch(credentials);

    const first = await authFetch(stub.url);
    assert.equal(first.status, 200);
    const oldToken = stub.seen[0]!.authorization!.replace('Bearer ', '');

    // Revoke every token of the integration (the server ends reuse), and have the resource refuse the old one.
    await lk.cli('integrations', 'revoke-tokens', lk.all.id, '--env', 'demo');
    stub.refused.add(oldToken);
    // The CLI's change reaches the server process within 1 s (SPEC §2): wait until it no longer reuses the old token.
    for (let i = 0; ; i++) {
      const reply = (await (await fetch(lk.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: lk.all.clientId, client_secret: lk.all.clientSecret }),
      })).json()) as { access_token: string };
      if (reply.access_token !== oldToken) break;
      assert.ok(i < 40, 'revoke-tokens never reached the server');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const response = await authFetch(stub.url, { method: 'POST', body: JSON.stringify({ n: 1 }), headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, body: '{"n":1}' });
    const [, refusedAttempt, retry] = stub.seen;
    assert.equal(refusedAttempt!.authorization, `Bearer ${oldToken}`);
    assert.notEqual(retry!.authorization, `Bearer ${oldToken}`);
    assert.equal(retry!.body, '{"n":1}', 'the body is sent again');
    assert.equal(tokenFetch.requests.length, 2, 'one token at first, one refresh after the 401');
  });
});

describe('createAuthFetch', () => {
  /** A token source handing out t1, t2, … and counting invalidations. */
  const source = () => {
    let n = 1;
    const invalidated: Array<string | undefined> = [];
    const tokens: TokenSource & { invalidated: typeof invalidated } = {
      invalidated,
      getToken: async () => `t${n}`,
      invalidate: (token) => {
        invalidated.push(token);
        if (token === `t${n}`) n++;
      },
    };
    return tokens;
  };
  const answering = (statusFor: (authorization: string | null) => number) =>
    recordingFetch(async (_input, init) => new Response(null, { status: statusFor(new Headers(init?.headers).get('authorization')) }));

  it('retries only once: a second 401 is returned to the caller', async () => {
    const tokens = source();
    const fetch = answering(() => 401);
    const response = await createAuthFetch(tokens, { fetch })('https://api.example.com/x');
    assert.equal(response.status, 401);
    assert.deepEqual(fetch.requests.map((r) => r.headers.get('authorization')), ['Bearer t1', 'Bearer t2']);
    assert.deepEqual(tokens.invalidated, ['t1']);
  });

  it('does not retry a request whose body is a stream (it cannot be sent twice)', async () => {
    const tokens = source();
    const fetch = answering(() => 401);
    const body = new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode('x')), controller.close()) });
    const response = await createAuthFetch(tokens, { fetch })('https://api.example.com/x', { method: 'POST', body, duplex: 'half' } as RequestInit);
    assert.equal(response.status, 401);
    assert.equal(fetch.requests.length, 1);
    assert.deepEqual(tokens.invalidated, []);
  });

  it('retries replayable bodies: string, bytes, URLSearchParams, FormData, Blob', async () => {
    for (const body of ['s', new Uint8Array([1]), new ArrayBuffer(1), new URLSearchParams('a=1'), new FormData(), new Blob(['b'])]) {
      const fetch = answering((authorization) => (authorization === 'Bearer t1' ? 401 : 200));
      const response = await createAuthFetch(source(), { fetch })('https://api.example.com/x', { method: 'POST', body });
      assert.equal(response.status, 200, `body ${Object.prototype.toString.call(body)}`);
      assert.equal(fetch.requests.length, 2);
    }
  });

  it('keeps the caller\'s headers (from init or from a Request) and replaces any Authorization', async () => {
    const fetch = answering(() => 200);
    const authFetch = createAuthFetch(source(), { fetch });
    await authFetch('https://api.example.com/x', { headers: { accept: 'image/png', authorization: 'Basic nope' } });
    await authFetch(new Request('https://api.example.com/y', { headers: { 'x-trace': '1' } }));
    assert.equal(fetch.requests[0]!.headers.get('accept'), 'image/png');
    assert.equal(fetch.requests[0]!.headers.get('authorization'), 'Bearer t1');
    assert.equal(fetch.requests[1]!.headers.get('x-trace'), '1');
    assert.equal(fetch.requests[1]!.headers.get('authorization'), 'Bearer t1');
  });

  it('many concurrent 401s invalidate the refused token, not its replacement', async () => {
    let minted = 0;
    const credentials = new ClientCredentials({
      tokenUrl: 'https://lk.example.com/oauth/token',
      clientId: 'c',
      clientSecret: 's',
      fetch: async () => new Response(JSON.stringify({ access_token: `t${++minted}`, token_type: 'Bearer', expires_in: 3600 }), { status: 200 }),
    });
    const api: FetchLike = async (_input, init) => new Response(null, { status: new Headers(init?.headers).get('authorization') === 'Bearer t1' ? 401 : 200 });
    const authFetch = createAuthFetch(credentials, { fetch: api });
    await credentials.getToken();
    const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await authFetch('https://api.example.com/x')).status));
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(minted, 2, 'one refresh for twenty 401s');
  });
});
