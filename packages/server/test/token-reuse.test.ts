import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, type Harness } from './helpers/harness.ts';

for (const dialect of dialects()) {
  describe(`token reuse (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      await h.env('fresh', { tokenTtlSeconds: 3600, tokenReuseWindowSeconds: 3600 });
    });
    after(() => h.close());
    const credsOf = (i: { clientId: string; clientSecret: string }) => ({ grant_type: 'client_credentials', client_id: i.clientId, client_secret: i.clientSecret });

    it('returns the same token until an hour before expiry, with expires_in counting down', async () => {
      const integration = await h.integration('demo');
      const first = await h.token(credsOf(integration));
      assert.equal(first.body.expires_in, 86400);
      h.clock.advance(1500);
      const second = await h.token(credsOf(integration));
      assert.equal(second.body.access_token, first.body.access_token);
      assert.equal(second.body.expires_in, 86398, 'exp minus now, rounded down');
      h.clock.advance((86400 - 3600 - 1.5) * 1000 - 1);
      const last = await h.token(credsOf(integration));
      assert.equal(last.body.access_token, first.body.access_token, 'just over an hour left: still reused');
      assert.equal(last.body.expires_in, 3600);
      h.clock.advance(1);
      const renewed = await h.token(credsOf(integration));
      assert.notEqual(renewed.body.access_token, first.body.access_token, 'an hour left: a new token');
      assert.equal(renewed.body.expires_in, 86400);
    });

    it('never reuses a token that outlives a shortened TTL', async () => {
      await h.env('shrinking');
      const integration = await h.integration('shrinking');
      const before = await h.token(credsOf(integration));
      await h.app.services.environments.update('shrinking', { tokenTtlSeconds: 7200 });
      const after = await h.token(credsOf(integration));
      assert.notEqual(after.body.access_token, before.body.access_token);
      assert.equal(after.body.expires_in, 7200);
    });

    it('keeps one token per scope set and audience', async () => {
      const integration = await h.integration('demo');
      const all = await h.token(credsOf(integration));
      const narrow = await h.token({ ...credsOf(integration), scope: 'template:read' });
      const narrowAgain = await h.token({ ...credsOf(integration), scope: 'template:read' });
      assert.notEqual(narrow.body.access_token, all.body.access_token);
      assert.equal(narrowAgain.body.access_token, narrow.body.access_token);
    });

    it('gives concurrent callers the same token', async () => {
      const integration = await h.integration('demo');
      const replies = await Promise.all(Array.from({ length: 20 }, () => h.token(credsOf(integration))));
      assert.equal(new Set(replies.map((r) => r.body.access_token)).size, 1);
    });

    it('gives concurrent callers on two nodes sharing the database the same token', async () => {
      const second = await h.secondNode();
      const integration = await h.integration('demo');
      const request = (node: typeof h.app) =>
        node.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(credsOf(integration)) });
      const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => request(i % 2 ? second : h.app)));
      assert.deepEqual(replies.map((r) => r.statusCode), Array(10).fill(200));
      assert.equal(new Set(replies.map((r) => r.json().access_token)).size, 1);
    });

    it('mints a fresh token on every request when the reuse window equals the TTL', async () => {
      const integration = await h.integration('fresh');
      const a = await h.token(credsOf(integration));
      const b = await h.token(credsOf(integration));
      assert.notEqual(a.body.access_token, b.body.access_token);
      assert.equal(a.body.expires_in, 3600);
    });

    for (const [change, apply] of [
      ['a scope change', (h: Harness, id: string) => h.app.services.integrations.update('demo', id, { scopes: ['template:read', 'template:list', 'font:list'] })],
      ['an added scope', (h: Harness, id: string) => h.app.services.integrations.update('demo', id, { preset: 'all' })],
      ['revoking all tokens', (h: Harness, id: string) => h.app.services.integrations.revokeTokens('demo', id)],
      ['disable and enable', async (h: Harness, id: string) => {
        await h.app.services.integrations.update('demo', id, { disabled: true });
        await h.app.services.integrations.update('demo', id, { disabled: false });
      }],
    ] as const) {
      it(`ends reuse of earlier tokens after ${change}`, async () => {
        const integration = await h.integration('demo', { scopes: ['template:read', 'template:list', 'font:list', 'font:read'] });
        const before = await h.token({ ...credsOf(integration), scope: 'template:read' });
        await apply(h, integration.id);
        const afterChange = await h.token({ ...credsOf(integration), scope: 'template:read' });
        assert.equal(afterChange.status, 200);
        assert.notEqual(afterChange.body.access_token, before.body.access_token);
      });
    }

    it('moves tokensNotBefore on revoke, disable and a removed scope, and new tokens have iat ≥ it', async () => {
      const integration = await h.integration('demo');
      const revoked = await h.app.services.integrations.revokeTokens('demo', integration.id);
      const notBefore = Date.parse(String(revoked.tokensNotBefore)) / 1000;
      assert.ok(notBefore > h.clock.now() / 1000);
      const token = await h.token(credsOf(integration));
      assert.ok(Number(decodeJwt(String(token.body.access_token)).payload.iat) >= notBefore);
      h.clock.advance(5000);
      const added = await h.app.services.integrations.update('demo', integration.id, { preset: 'all' });
      assert.equal(added.tokensNotBefore, revoked.tokensNotBefore, 'no scope removed: tokens stay valid');
      const removed = await h.app.services.integrations.update('demo', integration.id, { preset: 'read-only' });
      assert.ok(Date.parse(String(removed.tokensNotBefore)) > Date.parse(String(revoked.tokensNotBefore)));
    });

    it('refuses a deleted integration at once', async () => {
      const integration = await h.integration('demo');
      assert.equal((await h.token(credsOf(integration))).status, 200);
      await h.app.services.integrations.delete('demo', integration.id);
      assert.equal((await h.token(credsOf(integration))).status, 401);
    });

    it('stores reusable tokens encrypted, never in plain text', async () => {
      const integration = await h.integration('demo');
      const reply = await h.token(credsOf(integration));
      const rows = await h.app.services.database.db.selectFrom('reusable_tokens').selectAll().where('integration_id', '=', integration.id).execute();
      assert.equal(rows.length, 1);
      const token = String(reply.body.access_token);
      assert.ok(!rows[0]!.token.includes(token.split('.')[1]!));
      assert.ok(!JSON.stringify(rows).includes(token.split('.')[2]!));
    });

    it('serves the stored token after a restart', async () => {
      const integration = await h.integration('demo');
      const before = await h.token(credsOf(integration));
      const restarted = await h.secondNode();
      const reply = await restarted.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(credsOf(integration)) });
      assert.equal(reply.json().access_token, before.body.access_token);
    });

    /** Disables an integration through this node, after `before`, and watches another node refuse it. */
    async function otherNodeRefusesWithinASecond(before: () => Promise<void> = async () => {}) {
      const second = await h.secondNode();
      const integration = await h.integration('demo');
      const ask = () =>
        second.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(credsOf(integration)) });
      assert.equal((await ask()).statusCode, 200);
      await before();
      await h.app.services.integrations.update('demo', integration.id, { disabled: true });
      const started = Date.now();
      while ((await ask()).statusCode === 200) {
        assert.ok(Date.now() - started < 1000, 'the other node still accepts a disabled integration after 1 s');
        await sleep(20);
      }
    }

    it('sees a change made by another node within a second', () => otherNodeRefusesWithinASecond());

    it('still sees a change within a second after a burst of other changes', () =>
      otherNodeRefusesWithinASecond(async () => {
        const burst = Array.from({ length: 2500 }, () => ({ environment_id: 'demo', kind: 'integration', entity_id: 'X'.repeat(32), created_at: h.clock.now() }));
        for (let i = 0; i < burst.length; i += 500) await h.app.services.database.db.insertInto('change_feed').values(burst.slice(i, i + 500)).execute();
      }));

    it('answers a request under way with the state after a change, not before it', async () => {
      const integration = await h.integration('demo');
      const keys = h.app.services.signingKeys;
      const signer = keys.signer;
      let entered!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      // Hold the request inside its mint (authenticated, signing) while the integration changes.
      keys.signer = async () => {
        entered();
        await gate;
        return signer.call(keys);
      };
      try {
        const underway = h.token(credsOf(integration));
        await inside;
        await h.app.services.integrations.update('demo', integration.id, { disabled: true });
        release();
        const reply = await underway;
        assert.equal(reply.status, 401, 'a token minted from the state before the change was handed out');
      } finally {
        keys.signer = signer;
      }
    });

    describe('secret rotation', () => {
      it('keeps the previous secret valid for the grace period, and not a moment longer', async () => {
        const integration = await h.integration('demo');
        const rotated = await h.app.services.integrations.regenerateSecret('demo', integration.id, 60);
        assert.notEqual(rotated.clientSecret, integration.clientSecret);
        assert.equal((await h.token(credsOf(integration))).status, 200, 'old secret within grace');
        assert.equal((await h.token(credsOf(rotated))).status, 200, 'new secret');
        h.clock.advance(60_000);
        assert.equal((await h.token(credsOf(integration))).status, 401, 'grace over');
        assert.equal((await h.token(credsOf(rotated))).status, 200);
      });
      it('keeps at most two secrets live, and with no grace the previous one stops at once', async () => {
        const integration = await h.integration('demo');
        const one = await h.app.services.integrations.regenerateSecret('demo', integration.id, 600);
        const two = await h.app.services.integrations.regenerateSecret('demo', integration.id, 600);
        assert.equal((await h.token(credsOf(integration))).status, 401, 'the oldest is gone');
        assert.equal((await h.token(credsOf(one))).status, 200);
        assert.equal(two.secrets.length, 2);
        const three = await h.app.services.integrations.regenerateSecret('demo', integration.id);
        assert.equal((await h.token(credsOf(two))).status, 401);
        assert.equal((await h.token(credsOf(three))).status, 200);
        assert.equal(three.secrets.length, 1);
      });
      it('stores secrets only as keyed hashes, and records lastUsedAt in batches', async () => {
        const integration = await h.integration('demo');
        assert.equal((await h.token(credsOf(integration))).status, 200);
        const rows = await h.app.services.database.db.selectFrom('integration_secrets').selectAll().where('integration_id', '=', integration.id).execute();
        assert.ok(!JSON.stringify(rows).includes(integration.clientSecret.slice(10, 40)));
        assert.equal(rows[0]!.last_used_at, null, 'not written per request');
        await h.app.fastify.close();
        const reopened = await h.secondNode();
        const shown = await reopened.services.integrations.get('demo', integration.id);
        assert.equal(shown.secrets[0]!.lastUsedAt, new Date(h.clock.now()).toISOString(), 'flushed on close');
      });
    });
  });
}
