// `latchkey api METHOD PATH` (SPEC §5) against a real `latchkey serve`: credentials from
// LATCHKEY_URL, LATCHKEY_CLIENT_ID and LATCHKEY_CLIENT_SECRET, paths relative to the token's
// environment, JSON and multipart bodies, errors on stderr with a non-zero exit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createTestDatabase, type TestDatabase } from '../../server/test/helpers/database.ts';
import { cliJson, processEnv, runCli, startServer, type RunningServer } from '../../server/test/helpers/processes.ts';

/** Polls `check` until it holds, failing after `ms`. */
async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    assert.ok(Date.now() - started < ms, `not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('latchkey api', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let env: Record<string, string>;
  let writer: Record<string, string>;
  let reader: Record<string, string>;
  let scratch: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = processEnv(database);
    server = await startServer({ ...env, PUBLIC_URL: 'auto' });
    await cliJson(['env', 'create', 'demo', '--json'], env);
    const all = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'w', '--preset', 'all', '--json'], env);
    const readOnly = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'r', '--preset', 'read-only', '--json'], env);
    writer = { ...env, LATCHKEY_URL: server.url, LATCHKEY_CLIENT_ID: all.clientId, LATCHKEY_CLIENT_SECRET: all.clientSecret };
    reader = { ...env, LATCHKEY_URL: server.url, LATCHKEY_CLIENT_ID: readOnly.clientId, LATCHKEY_CLIENT_SECRET: readOnly.clientSecret };
    scratch = mkdtempSync(path.join(tmpdir(), 'latchkey-api-'));
  });
  after(async () => {
    await server.stop();
    await database.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('creates a template from --data and lists it, in the token environment', async () => {
    const created = await runCli(['api', 'POST', 'templates?name=Flyer&folderPath=/a', '--data', '{"pages":[]}'], writer);
    assert.equal(created.code, 0, created.stderr);
    const item = JSON.parse(created.stdout);
    assert.equal(item.name, 'Flyer');
    const listed = await runCli(['api', 'GET', 'templates'], reader);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).data.map((t: { id: string }) => t.id), [item.id]);
    const absolute = await runCli(['api', 'get', `/grafx/api/v1/environment/demo/templates/${item.id}/download`], reader);
    assert.deepEqual(JSON.parse(absolute.stdout), { pages: [] });
  });

  it('uploads a file as multipart with --file', async () => {
    const file = path.join(scratch, 'red.png');
    writeFileSync(file, await sharp({ create: { width: 40, height: 20, channels: 3, background: 'red' } }).png().toBuffer());
    const uploaded = await runCli(['api', 'POST', 'media?folderPath=/photos', '--file', file], writer);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    const item = JSON.parse(uploaded.stdout);
    assert.deepEqual([item.name, item.width, item.height, item.extension], ['red.png', 40, 20, 'png']);
  });

  it('integrations update --allow-browser-writes lets a write token through a browser request, and --no-allow-browser-writes stops it', async () => {
    const studio = await cliJson<{ id: string; clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'studio', '--preset', 'all', '--json'], env);
    const fromBrowser = async () => {
      const token = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: studio.clientId, client_secret: studio.clientSecret }),
      }).then((r) => r.json() as Promise<{ access_token: string }>);
      return (await fetch(`${server.url}/grafx/api/v1/environment/demo/templates`, { headers: { authorization: `Bearer ${token.access_token}`, origin: 'https://studio.example' } })).status;
    };
    assert.equal(await fromBrowser(), 403);
    const allowed = await cliJson<{ allowBrowserWrites: boolean }>(['integrations', 'update', studio.id, '--env', 'demo', '--allow-browser-writes', '--json'], env);
    assert.equal(allowed.allowBrowserWrites, true);
    // A CLI change reaches the running server through the change feed, within a second.
    await within(1500, async () => (await fromBrowser()) === 200);
    const refused = await cliJson<{ allowBrowserWrites: boolean }>(['integrations', 'update', studio.id, '--env', 'demo', '--no-allow-browser-writes', '--json'], env);
    assert.equal(refused.allowBrowserWrites, false);
    await within(1500, async () => (await fromBrowser()) === 403);
  });

  it('prints a refusal on stderr with the challenge, and exits 1', async () => {
    const refused = await runCli(['api', 'DELETE', 'templates/tpl_nothing'], reader);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /answered 403/);
    assert.match(refused.stderr, /insufficient_scope/);
    assert.match(refused.stderr, /template:write/);
    const wrong = await runCli(['api', 'GET', 'templates'], { ...reader, LATCHKEY_CLIENT_SECRET: `${reader.LATCHKEY_CLIENT_SECRET!.slice(0, -6)}AAAAAA` });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /invalid_client/);
    const usage = await runCli(['api', 'FETCH', 'templates'], reader);
    assert.equal(usage.code, 2);
  });
});
