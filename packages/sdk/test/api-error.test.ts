// ApiError from an Environment API refusal: the RFC 9457 body, and the RFC 6750 challenge.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../src/index.ts';
import { parseChallenge } from '../src/www-authenticate.ts';

describe('ApiError.fromResponse', () => {
  it('reads the problem body and, on 403 insufficient_scope, the scope needed', async () => {
    const response = new Response(JSON.stringify({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'This token lacks media:write' }), {
      status: 403,
      headers: {
        'content-type': 'application/problem+json',
        'www-authenticate': 'Bearer realm="latchkey", error="insufficient_scope", error_description="The token lacks a scope", scope="media:write"',
      },
    });
    const error = await ApiError.fromResponse(response, 'POST', 'https://lk.example.com/grafx/api/v1/environment/demo/media');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ApiError');
    assert.equal(error.status, 403);
    assert.deepEqual(error.problem, { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'This token lacks media:write' });
    assert.equal(error.requiredScope, 'media:write');
    assert.equal(error.errorCode, 'insufficient_scope');
    assert.equal(error.errorDescription, 'The token lacks a scope');
    assert.equal(error.message, 'POST https://lk.example.com/grafx/api/v1/environment/demo/media answered 403: This token lacks media:write');
  });

  it('gives the errorCode of a 401 and keeps a body that is not JSON', async () => {
    const response = new Response('gateway says no', { status: 401, headers: { 'www-authenticate': 'Bearer realm="latchkey", error="invalid_token", error_description="The token has expired"' } });
    const error = await ApiError.fromResponse(response, 'GET', 'https://lk.example.com/x');
    assert.equal(error.errorCode, 'invalid_token');
    assert.equal(error.requiredScope, undefined);
    assert.equal(error.problem, undefined);
    assert.equal(error.body, 'gateway says no');
  });
});

describe('parseChallenge (RFC 9110 §11.6.1)', () => {
  it('reads quoted values with commas and escapes, bare tokens, and picks the right scheme', () => {
    const header = 'Basic realm="x", Bearer realm="lk, test", error=insufficient_scope, error_description="say \\"hi\\"", scope="a:b c:d"';
    assert.deepEqual(parseChallenge(header, 'bearer'), { realm: 'lk, test', error: 'insufficient_scope', error_description: 'say "hi"', scope: 'a:b c:d' });
    assert.deepEqual(parseChallenge(header, 'Basic'), { realm: 'x' });
    assert.deepEqual(parseChallenge('Bearer realm="latchkey"', 'Bearer'), { realm: 'latchkey' });
    assert.deepEqual(parseChallenge('Bearer', 'Bearer'), {});
    assert.equal(parseChallenge('Basic realm="x"', 'Bearer'), undefined);
    assert.equal(parseChallenge(null, 'Bearer'), undefined);
  });
});
