// The SDK's front-end pattern in a real browser (Debian's chromium, playwright-core): a page
// served from its own origin gets read-only tokens from "its back end" through BrowserTokenSource's
// callback, never holds a secret, lists templates page by page across origins (CORS), and after
// the integration's tokens are revoked refreshes through the callback and carries on.
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createTestDatabase, type TestDatabase } from '../packages/server/test/helpers/database.ts';
import { cliJson, freePort, processEnv, REPO_ROOT, startServer, type RunningServer } from '../packages/server/test/helpers/processes.ts';
import { browserMissing, launchBrowser } from './helpers/browser.ts';

const SDK_DIST = path.join(REPO_ROOT, 'packages/sdk/dist');
const skip = browserMissing() ?? (existsSync(path.join(SDK_DIST, 'index.js')) ? false : 'the SDK is not built: run npm run build --workspace packages/sdk');

const PAGE = (latchkey: string) => `<!doctype html>
<meta charset="utf-8"><title>SDK in a browser</title>
<script type="module">
  import { BrowserTokenSource, EnvironmentApi } from '/sdk/index.js';
  const source = new BrowserTokenSource({ fetchToken: () => fetch('/token').then((r) => r.json()) });
  const api = new EnvironmentApi({ baseUrl: ${JSON.stringify(latchkey)}, environment: 'demo', credentials: source });
  window.listTemplates = async () => {
    const names = [];
    for await (const template of api.templates.list({ limit: 1, sortBy: 'name' })) names.push(template.name);
    return names;
  };
  window.ready = true;
</script>`;

describe('@latchkey/sdk in Chromium: the read-only front-end pattern', { skip }, () => {
  let database: TestDatabase;
  let latchkey: RunningServer;
  let page: Server;
  let pageOrigin: string;
  let browser: Browser;
  let env: Record<string, string>;
  let reader: { id: string; clientId: string; clientSecret: string };
  let tokenCalls = 0;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const pagePort = await freePort();
    pageOrigin = `http://127.0.0.1:${pagePort}`;
    env = processEnv(database);
    latchkey = await startServer({ ...env, PUBLIC_URL: 'auto', LATCHKEY_CORS_ORIGINS: pageOrigin });
    await cliJson(['env', 'create', 'demo', '--json'], env);
    const writer = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'back end', '--preset', 'all', '--json'], env);
    reader = await cliJson(['integrations', 'create', '--env', 'demo', '--name', 'browser', '--preset', 'read-only', '--json'], env);
    const tokenOf = async (credentials: { clientId: string; clientSecret: string }) => {
      const reply = await fetch(`${latchkey.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: credentials.clientId, client_secret: credentials.clientSecret }),
      });
      return (await reply.json()) as { access_token: string; expires_in: number };
    };
    const write = (await tokenOf(writer)).access_token;
    for (const name of ['Banner', 'Flyer', 'Poster']) {
      await fetch(`${latchkey.url}/grafx/api/v1/environment/demo/templates?name=${name}&folderPath=/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' },
        body: '{}',
      });
    }
    // The integrator's own origin: the page, the built SDK, and a back end that holds the
    // read-only integration's secret and hands the page tokens.
    page = createServer((request, response) => {
      if (request.url === '/') return void response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(latchkey.url));
      if (request.url === '/token') {
        tokenCalls++;
        return void tokenOf(reader).then(({ access_token, expires_in }) =>
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token, expires_in })),
        );
      }
      const file = path.join(SDK_DIST, path.normalize(request.url!.replace(/^\/sdk\//, '')));
      if (!request.url!.startsWith('/sdk/') || !file.startsWith(SDK_DIST) || !existsSync(file)) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'text/javascript' });
      createReadStream(file).pipe(response);
    });
    await new Promise<void>((resolve) => page.listen(pagePort, '127.0.0.1', () => resolve()));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    page?.close();
    await latchkey?.stop();
    await database?.drop();
  });

  it('lists templates across pages with a token from the back end, refreshes through it after a revocation, and never holds a secret', async () => {
    const tab = await browser.newPage();
    const sent: string[] = [];
    tab.on('request', (request) => sent.push(`${request.url()} ${JSON.stringify(request.headers())} ${request.postData() ?? ''}`));
    await tab.goto(pageOrigin);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    const list = () => tab.evaluate(() => (window as unknown as { listTemplates(): Promise<string[]> }).listTemplates());
    assert.deepEqual(await list(), ['Banner', 'Flyer', 'Poster']);
    assert.deepEqual(await list(), ['Banner', 'Flyer', 'Poster']);
    assert.equal(tokenCalls, 1, 'one token for every call, cached in the page');

    await cliJson(['integrations', 'revoke-tokens', reader.id, '--env', 'demo', '--json'], env);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.deepEqual(await list(), ['Banner', 'Flyer', 'Poster'], 'a 401 refreshes through the callback and retries');
    assert.equal(tokenCalls, 2);
    // The page never sees the secret, and never sends it anywhere.
    assert.ok(!(await tab.content()).includes(reader.clientSecret));
    assert.ok(sent.length >= 8 && sent.every((line) => !line.includes(reader.clientSecret) && !line.includes(reader.clientId)));
    assert.ok(sent.some((line) => line.startsWith(`${latchkey.url}/grafx/api/v1/environment/demo/templates`)), 'the page called the API itself, across origins');
  });
});
