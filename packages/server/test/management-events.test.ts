// Token events (SPEC §3): mints and refusals are audited and every mint, reuse and refusal counted
// per integration and hour, all in memory until a batch is written; kept 30 days.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TokenEvents } from '../src/modules/audit/token-events.ts';
import { dialects } from './helpers/database.ts';
import { createHarness, START, type Harness } from './helpers/harness.ts';
import { call, createPat, createUser } from './helpers/management.ts';

const HOUR = 3600_000;
const UNKNOWN_CLIENT = 'A'.repeat(32);

for (const dialect of dialects()) {
  describe(`token events (${dialect})`, () => {
    let h: Harness;
    let owner: { pat: string; userId: string };
    let integration: { id: string; clientId: string };
    before(async () => {
      h = await createHarness(dialect);
      await h.env('demo');
      owner = await createPat(h, await createUser(h, 'owner@example.com', 'owner'), 'read');
      integration = await h.integration('demo');
    });
    after(() => h.close());

    const activity = async (query = '') => (await call(h, owner, 'GET', `/environments/demo/integrations/${integration.id}/activity${query}`)).body;

    it('writes nothing until a flush, then mint and refusal rows and hourly counts', async () => {
      const events = h.app.services.management.tokenEvents;
      events.minted('demo', integration.id, integration.clientId, 'template:list template:read');
      for (let i = 0; i < 5; i++) events.reused('demo', integration.id);
      for (let i = 0; i < 3; i++) events.refused(integration.clientId, 'wrong_secret', '203.0.113.1');
      events.refused(integration.clientId, 'throttled', '203.0.113.1');

      await h.app.services.management.flush();
      const counts = await activity();
      assert.deepEqual(counts.totals, { minted: 1, reused: 5, refused: 4 });
      assert.equal(counts.hours.length, 24, 'the last 24 hours, zeros included');
      assert.deepEqual(counts.hours.at(-1), { hour: new Date(START).toISOString(), minted: 1, reused: 5, refused: 4 });

      const rows = (await call(h, owner, 'GET', '/environments/demo/audit?action=token.*')).body.data as Array<Record<string, any>>;
      const mint = rows.find((row) => row.action === 'token.mint')!;
      assert.deepEqual(
        { actor: mint.actor, target: mint.target, changes: mint.changes },
        {
          actor: { type: 'integration', id: integration.clientId, label: null },
          target: { type: 'integration', id: integration.id },
          changes: { scope: 'template:list template:read' },
        },
      );
      const wrong = rows.find((row) => row.reason === 'wrong_secret')!;
      assert.deepEqual({ changes: wrong.changes, address: wrong.address, action: wrong.action }, { changes: { count: 3 }, address: '203.0.113.1', action: 'token.refuse' }, 'one row per source and reason in a batch');
      assert.ok(rows.some((row) => row.reason === 'throttled' && row.changes === null));
      assert.equal(rows.filter((row) => row.action === 'token.reuse').length, 0, 'a reuse is counted, never logged');
    });

    it('sums batches and nodes into the same hour, and starts a new one on the hour', async () => {
      const events = h.app.services.management.tokenEvents;
      events.reused('demo', integration.id);
      await h.app.services.management.flush();
      const other = new TokenEvents(h.app.services.database.db, h.clock);
      other.reused('demo', integration.id);
      await other.flush();
      h.clock.advance(HOUR);
      events.reused('demo', integration.id);
      events.minted('demo', integration.id, integration.clientId, 'template:read');
      await h.app.services.management.flush();
      const counts = await activity();
      assert.deepEqual(counts.hours.slice(-2), [
        { hour: new Date(START).toISOString(), minted: 1, reused: 7, refused: 4 },
        { hour: new Date(START + HOUR).toISOString(), minted: 1, reused: 1, refused: 0 },
      ]);
      const ranged = await activity(`?from=${new Date(START).toISOString()}&to=${new Date(START + HOUR).toISOString()}`);
      assert.deepEqual(ranged.hours.length, 1);
      assert.equal((await call(h, owner, 'GET', `/environments/demo/integrations/${integration.id}/activity?from=${new Date(START - 40 * 24 * HOUR).toISOString()}`)).status, 400);
    });

    it('files refusals of unknown clients as platform events, and never keeps a malformed client id', async () => {
      const events = h.app.services.management.tokenEvents;
      events.refused(UNKNOWN_CLIENT, 'unknown_client', '198.51.100.4');
      events.refused(`lk_secret_${'x'.repeat(49)}`, 'malformed', '198.51.100.4');
      events.refused(null, 'malformed', '198.51.100.4');
      await h.app.services.management.flush();
      const { audit } = h.app.services.management;
      const platform = (await audit.list(null, { action: 'token.refuse' })).data;
      assert.deepEqual(
        platform.map((row) => [row.target.id, row.reason]).sort(),
        [
          ['(malformed)', 'malformed'],
          ['(none)', 'malformed'],
          [UNKNOWN_CLIENT, 'unknown_client'],
        ],
      );
      assert.ok(!JSON.stringify(platform).includes('lk_secret_'));
      assert.equal((await audit.list('demo', { action: 'token.refuse', from: new Date(START + HOUR).toISOString() })).data.length, 0);
    });

    it('touches no database until a flush', async () => {
      const events = new TokenEvents(h.app.services.database.db, h.clock);
      const before = (await activity()).totals;
      events.minted('demo', integration.id, integration.clientId, 'template:read');
      events.reused('demo', integration.id);
      events.refused(integration.clientId, 'disabled', '::1');
      assert.equal(events.pending, 2 + 1, 'one mint, one refusal, one counter');
      assert.deepEqual((await activity()).totals, before);
      await events.flush();
      assert.equal(events.pending, 0);
      assert.deepEqual((await activity()).totals, { minted: before.minted + 1, reused: before.reused + 1, refused: before.refused + 1 });
    });

    it('keeps what it cannot hold as a count of dropped events', () => {
      const events = new TokenEvents(h.app.services.database.db, h.clock, 2);
      for (let i = 0; i < 3; i++) events.minted('demo', integration.id, integration.clientId, 'x');
      events.refused(null, 'malformed', '::1');
      events.refused(null, 'malformed', '::1');
      events.refused(null, 'malformed', '::1');
      assert.equal(events.dropped, 2);
    });

    it('keeps activity 30 days', async () => {
      const { db } = h.app.services.database;
      const old = { integration_id: integration.id, environment_id: 'demo', minted: 1, reused: 0, refused: 0 };
      await db.insertInto('integration_activity').values([
        { ...old, hour: START - 31 * 24 * HOUR },
        { ...old, hour: START - 29 * 24 * HOUR },
      ]).execute();
      await h.app.services.management.sweep();
      const hours = await db.selectFrom('integration_activity').select('hour').where('hour', '<', START - 24 * HOUR).execute();
      assert.deepEqual(
        hours.map((row) => Number(row.hour)),
        [START - 29 * 24 * HOUR],
      );
    });
  });
}
