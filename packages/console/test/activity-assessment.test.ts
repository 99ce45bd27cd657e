import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessActivity, denseHours, tokensNeeded } from '../src/features/integrations/activity-assessment.ts';

const HOUR = 3600_000;
const from = Date.UTC(2026, 0, 1, 0);
const settings = { tokenTtlSeconds: 86400, tokenReuseWindowSeconds: 3600 };

function activity(perHour: { minted: number; reused: number; refused?: number }[]) {
  const hours = perHour.map((h, i) => ({ hour: new Date(from + i * HOUR).toISOString(), minted: h.minted, reused: h.reused, refused: h.refused ?? 0 }));
  const totals = hours.reduce((t, h) => ({ minted: t.minted + h.minted, reused: t.reused + h.reused, refused: t.refused + h.refused }), { minted: 0, reused: 0, refused: 0 });
  return { integrationId: 'int_x', from: new Date(from).toISOString(), to: new Date(from + perHour.length * HOUR).toISOString(), hours, totals };
}

test('a caller that keeps its token is not flagged', () => {
  const day = Array.from({ length: 24 }, (_, i) => ({ minted: i === 0 ? 1 : 0, reused: 2 }));
  assert.deepEqual(assessActivity(activity(day), settings), []);
});

test('minting far more than reuse needs is flagged', () => {
  const day = Array.from({ length: 24 }, () => ({ minted: 30, reused: 0 }));
  const flags = assessActivity(activity(day), settings);
  assert.equal(flags[0]?.title, 'This integration mints far more tokens than reuse needs.');
  assert.match(flags[0]!.detail, /720 tokens were minted where about 3 would do/);
});

test('asking for a token before every call is flagged, even though reuse hides it', () => {
  const day = Array.from({ length: 24 }, (_, i) => ({ minted: i === 0 ? 1 : 0, reused: 500 }));
  const flags = assessActivity(activity(day), settings);
  assert.deepEqual(flags.map((f) => f.title), ['Its caller asks for a token far more often than it needs.']);
});

test('with reuse off (window = lifetime), minting is expected and only explained', () => {
  const day = Array.from({ length: 24 }, () => ({ minted: 30, reused: 0 }));
  const flags = assessActivity(activity(day), { tokenTtlSeconds: 3600, tokenReuseWindowSeconds: 3600 });
  assert.deepEqual(flags.map((f) => f.level), ['info']);
  assert.equal(tokensNeeded(24, { tokenTtlSeconds: 3600, tokenReuseWindowSeconds: 3600 }), Number.POSITIVE_INFINITY);
});

test('refusals are pointed out', () => {
  const flags = assessActivity(activity([{ minted: 1, reused: 0, refused: 3 }]), settings);
  assert.deepEqual(flags.map((f) => f.title), ['3 token requests were refused.']);
});

test('hours without traffic are filled with zeros for the chart', () => {
  const sparse = { ...activity([{ minted: 1, reused: 0 }]), to: new Date(from + 5 * HOUR).toISOString() };
  const hours = denseHours(sparse);
  assert.equal(hours.length, 5);
  assert.deepEqual(hours.map((h) => h.minted), [1, 0, 0, 0, 0]);
});
