// BrowserTokenSource in Node: the cache, single flight and refresh rules of the read-only
// front-end pattern. (A Chromium run of the same helper is part of the e2e suite.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrowserTokenSource, createAuthFetch, EnvironmentApi, type BrowserToken } from '../src/index.ts';
import { manualClock } from './helpers/latchkey.ts';

function jwtExpiringAt(expSeconds: number): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'at+jwt' })}.${part({ exp: expSeconds, scope: 'template:read' })}.signature`;
}

describe('BrowserTokenSource', () => {
  it('caches the back end\'s token until the refresh margin, then asks again', async () => {
    const clock = manualClock();
    let calls = 0;
    const tokens = new BrowserTokenSource({
      fetchToken: async () => ({ access_token: `t${++calls}`, expires_in: 600 }),
      refreshMarginSeconds: 60,
      jitterSeconds: 0,
      clock: clock.now,
    });
    assert.equal(await tokens.getToken(), 't1');
    clock.advance(539_999);
    assert.equal(await tokens.getToken(), 't1');
    clock.advance(1);
    assert.equal(await tokens.getToken(), 't2');
    assert.equal(calls, 2);
  });

  it('calls fetchToken once for many concurrent callers', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tokens = new BrowserTokenSource({
      fetchToken: async () => {
        calls++;
        await gate;
        return { access_token: 'shared', expires_in: 600 };
      },
    });
    const pending = Array.from({ length: 50 }, () => tokens.getToken());
    release();
    assert.deepEqual(new Set(await Promise.all(pending)), new Set(['shared']));
    assert.equal(calls, 1);
  });

  it('reads a bare JWT\'s lifetime from its exp claim', async () => {
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const exp = clock.now() / 1000 + 300;
    const queue: BrowserToken[] = [jwtExpiringAt(exp), 'second'];
    const tokens = new BrowserTokenSource({ fetchToken: async () => queue.shift()!, refreshMarginSeconds: 60, jitterSeconds: 0, clock: clock.now });
    const first = await tokens.getToken();
    clock.advance(239_000);
    assert.equal(await tokens.getToken(), first);
    clock.advance(1_000);
    assert.equal(await tokens.getToken(), 'second');
  });

  it('keeps an opaque token whose lifetime is unknown until it is invalidated', async () => {
    const clock = manualClock();
    let calls = 0;
    const tokens = new BrowserTokenSource({ fetchToken: async () => `opaque-${++calls}`, clock: clock.now });
    assert.equal(await tokens.getToken(), 'opaque-1');
    clock.advance(30 * 86_400_000);
    assert.equal(await tokens.getToken(), 'opaque-1');
    tokens.invalidate('opaque-1');
    assert.equal(await tokens.getToken(), 'opaque-2');
  });

  it('does not cache a failure, and keeps a still-valid token when a refresh fails', async () => {
    const clock = manualClock();
    const script: Array<() => BrowserToken> = [
      () => {
        throw new Error('back end down');
      },
      () => ({ access_token: 't1', expires_in: 600 }),
      () => {
        throw new Error('back end down again');
      },
    ];
    const tokens = new BrowserTokenSource({ fetchToken: async () => script.shift()!(), jitterSeconds: 0, clock: clock.now });
    await assert.rejects(tokens.getToken(), /back end down/);
    assert.equal(await tokens.getToken(), 't1');
    clock.advance(550_000); // within the 60 s margin, not expired
    assert.equal(await tokens.getToken(), 't1');
  });

  it('refuses what is not a token', async () => {
    const tokens = new BrowserTokenSource({ fetchToken: async () => ({ token: 'x' }) as unknown as BrowserToken });
    await assert.rejects(tokens.getToken(), TypeError);
    assert.throws(() => new BrowserTokenSource({} as never), TypeError);
  });

  it('is a TokenSource for createAuthFetch and EnvironmentApi', async () => {
    const tokens = new BrowserTokenSource({ fetchToken: async () => ({ access_token: 'ro', expires_in: 600 }) });
    let authorization: string | null = null;
    const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
      authorization = new Headers(init?.headers).get('authorization');
      return new Response('{"data":[],"pageSize":0,"links":{"nextPage":""},"total":0}', { status: 200 });
    };
    await createAuthFetch(tokens, { fetch })('https://lk.example.com/x');
    assert.equal(authorization, 'Bearer ro');
    const api = new EnvironmentApi({ baseUrl: 'https://lk.example.com', environment: 'demo', credentials: tokens, fetch });
    assert.deepEqual((await api.templates.page()).data, []);
  });
});
