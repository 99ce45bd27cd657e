import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { createHarness, decodeJwt, type Harness } from './helpers/harness.ts';

for (const dialect of dialects()) {
  describe(`tenant isolation (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect);
      await h.env('alpha');
      await h.env('beta');
    });
    after(() => h.close());

    it('never reads or changes another environment\'s integration', async () => {
      const a = await h.integration('alpha');
      const { integrations } = h.app.services;
      for (const ref of [a.id, a.clientId]) {
        await assert.rejects(integrations.get('beta', ref), /not found/);
        await assert.rejects(integrations.update('beta', ref, { name: 'taken' }), /not found/);
        await assert.rejects(integrations.regenerateSecret('beta', ref), /not found/);
        await assert.rejects(integrations.revokeTokens('beta', ref), /not found/);
        await assert.rejects(integrations.delete('beta', ref), /not found/);
      }
      assert.deepEqual(await integrations.list('beta'), []);
      const still = await integrations.get('alpha', a.id);
      assert.equal(still.name, 'CI');
    });

    it('issues tokens that name the integration\'s own environment', async () => {
      const a = await h.integration('alpha');
      const b = await h.integration('beta');
      const ta = await h.token({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.clientSecret });
      const tb = await h.token({ grant_type: 'client_credentials', client_id: b.clientId, client_secret: b.clientSecret });
      assert.equal(decodeJwt(String(ta.body.access_token)).payload.environment, 'alpha');
      assert.equal(decodeJwt(String(tb.body.access_token)).payload.environment, 'beta');
      const crossed = await h.token({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: b.clientSecret });
      assert.equal(crossed.status, 401);
    });

    it('validates settings: reuse window ≤ TTL ≤ 30 days', async () => {
      await assert.rejects(h.app.services.environments.create({ id: 'bad-window', tokenTtlSeconds: 600, tokenReuseWindowSeconds: 601 }), /Invalid environment settings/);
      await assert.rejects(h.app.services.environments.create({ id: 'too-long', tokenTtlSeconds: 31 * 86400 }), /Invalid environment settings/);
      await assert.rejects(h.app.services.environments.create({ id: 'Bad_Id' }), /Invalid environment id/);
      await assert.rejects(h.app.services.environments.create({ id: 'alpha' }), /already exists/);
    });
  });

  describe(`logs (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await createHarness(dialect, { env: { LOG_LEVEL: 'trace' } });
      await h.env('demo');
    });
    after(() => h.close());

    it('never contain a secret or a token, even at trace level', async () => {
      const integration = await h.integration('demo');
      const creds = { grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret };
      const ok = await h.token(creds);
      await h.token({ ...creds, client_secret: `${integration.clientSecret.slice(0, -1)}${integration.clientSecret.endsWith('x') ? 'y' : 'x'}` });
      await h.tokenForm(creds, { authorization: `Basic ${Buffer.from(`${integration.clientId}:${integration.clientSecret}`).toString('base64')}` });
      h.app.fastify.log.info({ client_secret: integration.clientSecret, access_token: ok.body.access_token, headers: { authorization: 'Bearer x' } }, 'careless line');
      const logs = h.logs();
      assert.ok(logs.includes('careless line'), 'the log was captured');
      assert.ok(!logs.includes(integration.clientSecret.slice(10)), 'secret in log');
      assert.ok(!logs.includes(String(ok.body.access_token).split('.')[2]!), 'token in log');
    });
  });
}
