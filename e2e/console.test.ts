// The console in a real browser against a real `latchkey serve`: a person who has never seen
// Latchkey sets it up and gets a working token from the console alone (issue 14), a viewer can
// change nothing, and an integration can be created with the keyboard only. Screenshots of the
// main screens land in docs/screenshots/ for the README.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserMissing, focusRing, launchBrowser, overflowsHorizontally, screenshot, tabTo } from './helpers/browser.ts';
import { startConsoleServer, type ConsoleServer } from './helpers/console-server.ts';

const OWNER = { email: 'owner@example.com', password: 'correct horse battery staple' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer horse battery staple' };
const SECRET_RE = /^lk_secret_[0-9A-Za-z]{49}$/;

const missing = browserMissing();

// One server for the file (starting one costs seconds): the browser walk-through and the HTTP checks share it.
let server: ConsoleServer;
before(async () => {
  server = await startConsoleServer();
});
after(async () => {
  await server?.stop();
});

/** Runs a shell command the way a person pasting the snippet would, and parses its JSON answer. */
function run(command: string, args: string[], options: { input?: string; cwd?: string } = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000, ...options });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function tokenWith(clientId: string, clientSecret: string) {
  const response = await fetch(`${server.server.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** Polls `check` until it holds (audit rows and activity counts are written in batches, ~2 s). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('the console: setup, an integration, a working token, rotation, revocation and the audit log; a viewer; the keyboard', { skip: missing ?? false, timeout: 120_000 }, async (t) => {
  const browser: Browser = await launchBrowser();
  t.after(() => browser.close());
  const origin = server.server.url;
  const owner: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: origin });
  await owner.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  owner.setDefaultTimeout(10_000);
  const page: Page = await owner.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && !/the server responded with a status of (401|403|404)/.test(message.text()) && problems.push(`console: ${message.text()}`));

  let clientId = '';
  let firstSecret = '';
  let secondSecret = '';
  let integrationId = '';
  let firstToken = '';
  const envPath = '/console/environments/demo';

  await t.test('a new person opens the setup URL the server printed and creates the first owner', async () => {
    assert.match(server.setupUrl, /\/console\/setup\?token=lk_setup_/);
    await page.goto(server.setupUrl);
    await page.getByRole('heading', { name: 'Create the first owner' }).waitFor();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Repeat the password').fill(OWNER.password);
    await screenshot(page, 'setup');
    await page.getByRole('button', { name: 'Create owner' }).click();
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    await page.getByText('No environments yet').waitFor();
  });

  await t.test('creates an environment, and finds it again with the pencil', async () => {
    await page.getByRole('button', { name: 'Create environment' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create environment' });
    await dialog.getByLabel('Display name').fill('Demo');
    assert.equal(await dialog.getByLabel('Environment ID').inputValue(), 'demo', 'the id is suggested from the name');
    await dialog.getByRole('button', { name: 'Create environment' }).click();
    await page.waitForURL(`**${envPath}`);
    await page.getByRole('heading', { name: /^Integrations$/ }).waitFor();
    await page.getByText('No integrations yet').waitFor();

    await page.getByRole('link', { name: 'Environments' }).first().click();
    await page.getByRole('row', { name: /Demo/ }).waitFor();
    await screenshot(page, 'environments');
    const pencil = page.getByRole('button', { name: /^Edit Demo/ });
    assert.equal(await pencil.count(), 1);
    await pencil.click();
    await page.waitForURL(`**${envPath}`);
  });

  await t.test('creates an integration and copies its secret, shown once', async () => {
    await page.getByRole('button', { name: 'Create Integration' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Integration' });
    await dialog.getByLabel('Name').fill('Render service');
    await dialog.getByLabel('Description').fill('Renders product sheets at night');
    await dialog.getByRole('button', { name: 'Create Integration' }).click();

    const details = page.getByRole('region', { name: 'Render service' });
    await details.getByRole('tab', { name: 'General', selected: true }).waitFor();
    await details.getByRole('tab', { name: 'Permissions' }).waitFor();
    await page.getByText('You will not see it again.').waitFor();
    firstSecret = (await page.getByTestId('client-secret').textContent())!.trim();
    clientId = (await page.getByTestId('client-id').textContent())!.trim();
    assert.match(firstSecret, SECRET_RE);
    assert.match(clientId, /^[0-9A-Za-z]{32}$/);
    integrationId = decodeURIComponent(page.url().split('/integrations/')[1]!);
    assert.match(integrationId, /^int_/);

    await page.getByRole('button', { name: 'Copy Client Secret' }).click();
    await page.getByRole('button', { name: 'Copy Client Secret' }).getByText('Copied').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), firstSecret, 'the clipboard holds the secret');
    await page.getByRole('button', { name: 'Copy Client ID' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), clientId);
    await screenshot(page, 'integration-general', [page.getByTestId('client-secret')]);

    // No permissions yet: the token endpoint refuses it (RFC 6749 §3.3), and the console says so.
    const refused = await tokenWith(clientId, firstSecret);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error, 'invalid_scope');
  });

  await t.test('sets permissions, with the browser warning for write and output scopes', async () => {
    const details = page.getByRole('region', { name: 'Render service' });
    await details.getByRole('tab', { name: 'Permissions' }).click();
    const warning = page.getByText('Never use this integration in a browser.');
    await page.getByRole('button', { name: 'Read-only', exact: true }).click();
    assert.equal(await page.getByRole('checkbox', { name: 'Templates: read' }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'Templates: write' }).isChecked(), false);
    assert.equal(await warning.count(), 0, 'read-only scopes need no browser warning');
    await page.getByRole('checkbox', { name: 'Output: static' }).check();
    await warning.waitFor();
    await page.getByRole('checkbox', { name: 'Output: static' }).uncheck();
    await warning.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'All permissions' }).click();
    await warning.waitFor();
    for (const name of ['Templates: write', 'Template collections: list', 'Media: write', 'Fonts: read', 'My projects: write', 'Output: animated']) {
      assert.equal(await page.getByRole('checkbox', { name }).isChecked(), true, name);
    }
    const browserWrites = page.getByRole('checkbox', { name: 'Allow browser writes' });
    await browserWrites.check();
    await page.getByText('Browser writes are allowed.').waitFor();
    await screenshot(page, 'integration-permissions');
    await browserWrites.uncheck();
    await page.getByRole('button', { name: 'Save permissions' }).click();
    await page.getByText('Permissions saved.').waitFor();
  });

  await t.test('runs the cURL sample of "Get a token" for real and gets a token', async () => {
    await page.getByRole('region', { name: 'Render service' }).getByRole('tab', { name: 'General' }).click();
    await page.getByRole('button', { name: 'Get a token' }).click();
    const panel = page.getByRole('region', { name: 'Get a token' });
    for (const name of ['cURL', 'Python', 'Node', 'Go', 'Java']) await panel.getByRole('tab', { name }).waitFor();
    assert.equal(await panel.getByRole('tab', { name: 'cURL' }).getAttribute('aria-selected'), 'true');
    const curl = (await panel.getByTestId('snippet').textContent())!;
    assert.ok(curl.includes(`${origin}/oauth/token`), 'this server’s token URL');
    assert.ok(curl.includes(`"client_id": "${clientId}"`));
    assert.ok(curl.includes(`"client_secret": "${firstSecret}"`), 'the secret, while it is shown');

    const result = run('bash', ['-c', `set -e\n${curl}`]);
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout) as { access_token: string; token_type: string; expires_in: number; scope: string };
    assert.equal(answer.token_type, 'Bearer');
    const claims = jwtClaims(answer.access_token);
    assert.equal(claims.client_id, clientId);
    assert.equal(claims.environment, 'demo');
    assert.ok(String(answer.scope).includes('template:write'), 'the permissions just saved');
    firstToken = answer.access_token;

    // The other samples send the Client Secret as client_secret too (never the client id, the seeds' mistake).
    const samples: Record<string, string> = {};
    for (const name of ['Python', 'Node', 'Go', 'Java']) {
      await panel.getByRole('tab', { name }).click();
      samples[name] = (await panel.getByTestId('snippet').textContent())!;
      assert.ok(samples[name]!.includes(JSON.stringify(firstSecret)), `${name} carries the secret`);
      assert.ok(!/client_secret\W+client_id\b/.test(samples[name]!) && !/clientSecret\s*=\s*clientId/.test(samples[name]!), `${name} does not send the client id as the secret`);
    }
    // Run what this machine can run: Node always; Python and Java when present.
    const work = mkdtempSync(path.join(tmpdir(), 'latchkey-snippets-'));
    try {
      const node = run(process.execPath, ['-e', samples.Node!]);
      assert.equal(node.code, 0, node.stderr);
      assert.equal(node.stdout.trim(), firstToken, 'Node gets the same (reused) token');
      if (run('python3', ['-c', 'import requests']).code === 0) {
        const python = run('python3', ['-c', samples.Python!]);
        assert.equal(python.code, 0, python.stderr);
        assert.equal(python.stdout.trim(), firstToken, 'Python gets the same (reused) token');
      } else t.diagnostic('python3 with requests is missing: the Python sample was not run');
      if (run('java', ['-version']).code === 0) {
        writeFileSync(path.join(work, 'GetToken.java'), samples.Java!);
        const java = run('java', ['GetToken.java'], { cwd: work });
        assert.equal(java.code, 0, java.stderr);
        assert.equal((JSON.parse(java.stdout) as { access_token: string }).access_token, firstToken, 'Java gets the same (reused) token');
      } else t.diagnostic('java is missing: the Java sample was not run');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    await panel.getByRole('tab', { name: 'cURL' }).click();
  });

  await t.test('hides the secret once stored: the samples then show a placeholder', async () => {
    await page.getByRole('button', { name: 'I have stored it: hide the secret' }).click();
    assert.equal(await page.getByTestId('client-secret').count(), 0);
    const curl = (await page.getByRole('region', { name: 'Get a token' }).getByTestId('snippet').textContent())!;
    assert.ok(curl.includes('"client_secret": "<YOUR CLIENT SECRET>"'));
    assert.ok(!curl.includes(firstSecret));
    await page.getByRole('region', { name: 'Get a token' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'get-a-token');
  });

  await t.test('regenerates the secret with a grace period, then ends the grace early', async () => {
    await page.getByRole('button', { name: 'Regenerate', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: /Regenerate the secret/ });
    await dialog.getByLabel('Grace period for the old secret').selectOption({ label: '1 hour' });
    await dialog.getByRole('button', { name: 'Regenerate secret' }).click();
    await page.getByText('You will not see it again.').waitFor();
    secondSecret = (await page.getByTestId('client-secret').textContent())!.trim();
    assert.match(secondSecret, SECRET_RE);
    assert.notEqual(secondSecret, firstSecret);
    await page.getByText('previous, in grace').waitFor();
    const curl = (await page.getByRole('region', { name: 'Get a token' }).getByTestId('snippet').textContent())!;
    assert.ok(curl.includes(secondSecret), 'the samples carry the new secret');

    assert.equal((await tokenWith(clientId, secondSecret)).status, 200, 'the new secret works');
    assert.equal((await tokenWith(clientId, firstSecret)).status, 200, 'the old one too, during its grace');
    await page.getByRole('button', { name: 'End grace now' }).click();
    await page.getByText('previous, in grace').waitFor({ state: 'detached' });
    assert.equal((await tokenWith(clientId, firstSecret)).status, 401, 'the old secret is refused once its grace ends');
    assert.equal((await tokenWith(clientId, secondSecret)).status, 200);
  });

  await t.test('revokes all tokens: the token the cURL sample got stops working', async () => {
    const templates = `${origin}/grafx/api/v1/environment/demo/templates`;
    const before = await fetch(templates, { headers: { authorization: `Bearer ${firstToken}` } });
    assert.equal(before.status, 200);
    await page.getByRole('button', { name: 'Revoke all tokens' }).click();
    await page.getByRole('dialog', { name: /Revoke all tokens/ }).getByRole('button', { name: 'Revoke tokens' }).click();
    await page.getByText('Every token issued until now is refused').waitFor();
    await eventually(async () => (await fetch(templates, { headers: { authorization: `Bearer ${firstToken}` } })).status === 401, 'the revoked token to be refused', 3_000);
  });

  await t.test('sees each step in the audit log, and filters it', async () => {
    await page.getByRole('navigation', { name: 'Environment sections' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const expected = ['environment.create', 'integration.create', 'integration.update', 'integration.secret.regenerate', 'integration.secret.delete', 'integration.tokens.revoke', 'token.mint'];
    const table = page.getByRole('table', { name: /Audit events/ });
    let missingActions = expected;
    await eventually(
      async () => {
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await table.waitFor();
        const text = (await table.textContent()) ?? '';
        missingActions = expected.filter((action) => !text.includes(action));
        return missingActions.length === 0;
      },
      'every step in the audit log',
    ).catch((error: Error) => {
      throw new Error(`${error.message}: missing ${missingActions.join(', ')}`);
    });
    const text = (await table.textContent())!;
    assert.ok(!text.includes(firstSecret) && !text.includes(secondSecret), 'no secret in the audit log');
    await page.getByLabel('Action').fill('integration.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=integration\.\*/);
    await eventually(async () => !((await table.textContent()) ?? '').includes('token.mint'), 'the filter to apply');
    const actions = await table.locator('tbody tr td:nth-child(3)').allTextContents();
    assert.ok(actions.length >= 5);
    assert.ok(actions.every((action) => action.startsWith('integration.')), actions.join(', '));
    await screenshot(page, 'audit-log');
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  await t.test('draws the activity chart', async () => {
    await page.goto(`${envPath}/integrations/${encodeURIComponent(integrationId)}`);
    const details = page.getByRole('region', { name: 'Render service' });
    await details.getByRole('tab', { name: 'Activity' }).click();
    await eventually(
      async () => {
        const summary = (await details.getByText(/minted · /).textContent().catch(() => '')) ?? '';
        const minted = Number(/(\d+) minted/.exec(summary)?.[1] ?? 0);
        if (minted >= 1) return true;
        await page.getByLabel('Period').selectOption({ index: 1 });
        await page.getByLabel('Period').selectOption({ index: 0 });
        return false;
      },
      'the minted tokens in the activity',
    );
    await details.locator('canvas').first().waitFor();
    await screenshot(page, 'activity');
  });

  await t.test('an owner adds a viewer; the viewer can change nothing, and the API refuses anyway', async () => {
    await page.getByRole('link', { name: 'People' }).click();
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'Add a person' });
    await form.getByLabel('Email').fill(VIEWER.email);
    await form.getByLabel('Password').fill(VIEWER.password);
    await form.getByRole('button', { name: 'Add person' }).click();
    await page.getByRole('row', { name: new RegExp(VIEWER.email) }).waitFor();
    await screenshot(page, 'people');

    await page.goto(`${envPath}/members`);
    await page.getByLabel('Person').selectOption({ label: VIEWER.email });
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('row', { name: new RegExp(VIEWER.email) }).waitFor();

    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: origin });
    viewerContext.setDefaultTimeout(10_000);
    try {
      const viewer = await viewerContext.newPage();
      await viewer.goto('/console/');
      await viewer.getByLabel('Email').fill(VIEWER.email);
      await viewer.getByLabel('Password').fill(VIEWER.password);
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.getByRole('button', { name: /^Edit Demo/ }).click();
      await viewer.getByText('you can look, not change').waitFor();
      assert.equal(await viewer.getByRole('button', { name: 'Create Integration' }).count(), 0);
      await viewer.getByRole('link', { name: 'Render service' }).click();
      const details = viewer.getByRole('region', { name: 'Render service' });
      await details.getByRole('tab', { name: 'General', selected: true }).waitFor();
      for (const name of ['Regenerate', 'Disable', 'Revoke all tokens', 'Delete', 'Save name and description']) {
        assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button for a viewer`);
      }
      assert.equal(await viewer.getByRole('textbox', { name: 'Name', exact: true }).getAttribute('readonly'), '');
      await details.getByRole('tab', { name: 'Permissions' }).click();
      await viewer.getByRole('checkbox', { name: 'Templates: write' }).waitFor();
      assert.equal(await viewer.getByRole('checkbox', { name: 'Templates: write' }).isDisabled(), true);
      assert.equal(await viewer.getByRole('button', { name: 'Save permissions' }).count(), 0);
      assert.equal(await viewer.getByRole('button', { name: 'Read-only', exact: true }).count(), 0);
      await viewer.getByRole('navigation', { name: 'Environment sections' }).getByRole('link', { name: 'Settings' }).click();
      assert.equal(await viewer.getByLabel('Token lifetime (seconds)').getAttribute('readonly'), '');
      assert.equal(await viewer.getByRole('button', { name: 'Save settings' }).count(), 0);
      assert.equal(await viewer.getByRole('button', { name: 'Delete environment' }).count(), 0);
      assert.equal(await viewer.getByRole('link', { name: 'People' }).count(), 0, 'no People for a member');

      // The API is the real gate: the same session, with its CSRF token, is refused.
      const refused = await viewer.evaluate(async (id) => {
        const me = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
        const response = await fetch(`/api/v1/environments/demo/integrations/${encodeURIComponent(id)}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
          body: JSON.stringify({ disabled: true }),
        });
        return { status: response.status, body: await response.json() };
      }, integrationId);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'forbidden');
    } finally {
      await viewerContext.close();
    }
  });

  await t.test('creates a personal access token, shown once, that reads the management API; then revokes it', async () => {
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await page.getByRole('heading', { name: 'Personal access tokens', level: 1 }).waitFor();
    await page.getByText('You have no personal access tokens.').waitFor();
    const form = page.getByRole('form', { name: 'Create a token' });
    await form.getByLabel('Name').fill('Nightly report');
    await form.getByLabel('Access').selectOption('read');
    await form.getByRole('button', { name: 'Create token' }).click();
    await page.getByText('You will not see it again.').waitFor();
    const pat = (await page.getByTestId('pat-value').textContent())!.trim();
    assert.match(pat, /^lk_pat_[0-9A-Za-z]{49}$/);
    const authorization = `Bearer ${pat}`;
    const listed = await fetch(`${origin}/api/v1/environments`, { headers: { authorization } });
    assert.equal(listed.status, 200);
    assert.deepEqual(((await listed.json()) as { data: { id: string }[] }).data.map((environment) => environment.id), ['demo']);
    const write = await fetch(`${origin}/api/v1/environments`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'nope' }) });
    assert.equal(write.status, 403, 'a read token only reads');
    await page.getByRole('row', { name: /Nightly report/ }).waitFor();
    await screenshot(page, 'access-tokens', [page.getByTestId('pat-value')]);
    await page.getByRole('button', { name: 'Revoke Nightly report' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await page.getByText('“Nightly report” was revoked.').waitFor();
    assert.equal((await fetch(`${origin}/api/v1/environments`, { headers: { authorization } })).status, 401);
  });

  await t.test('creates an integration with the keyboard only, with visible focus', async () => {
    await page.goto(envPath);
    await page.getByRole('heading', { name: /^Integrations$/ }).waitFor();
    const create = page.getByRole('button', { name: 'Create Integration' });
    await tabTo(page, create);
    const ring = await focusRing(page);
    assert.equal(ring.text, 'Create Integration');
    assert.notEqual(ring.style, 'none', 'keyboard focus is visible');
    assert.ok(ring.width >= 2, `a focus ring of ${ring.width}px`);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create Integration' });
    await dialog.waitFor();
    assert.equal(await dialog.getByLabel('Name').evaluate((element) => element === document.activeElement), true, 'focus starts in Name');
    await page.keyboard.type('Studio editor');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Read-only, for the browser');
    await tabTo(page, dialog.getByRole('button', { name: 'Create Integration' }), 5);
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { name: 'Studio editor', level: 2 });
    await heading.waitFor();
    await eventually(async () => heading.evaluate((element) => element === document.activeElement), 'focus on the new integration’s heading', 2_000);
    // Tabs with arrow keys: General → Permissions, then Read-only and save, all from the keyboard.
    await tabTo(page, page.getByRole('tab', { name: 'General' }));
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Permissions' }).getAttribute('aria-selected'), 'true');
    await tabTo(page, page.getByRole('button', { name: 'Read-only', exact: true }));
    await page.keyboard.press('Enter');
    await tabTo(page, page.getByRole('button', { name: 'Save permissions' }));
    await page.keyboard.press('Enter');
    await page.getByText('Permissions saved.').waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Media: read' }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'Media: write' }).isChecked(), false);
  });

  await t.test('works at 768 px wide', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${envPath}/integrations/${encodeURIComponent(integrationId)}`);
    await page.getByRole('region', { name: 'Render service' }).getByRole('tab', { name: 'General' }).waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'no sideways scrolling on the details panel');
    await screenshot(page, 'integration-768');
    await page.goto(envPath);
    await page.getByRole('link', { name: 'Render service' }).waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'no sideways scrolling on the list');
    await page.goto(`${envPath}/audit`);
    await page.getByRole('table', { name: /Audit events/ }).waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'no sideways scrolling on the audit log');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  await t.test('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401);
    await screenshot(page, 'sign-in');
  });

  assert.deepEqual(problems, [], 'no script errors in the page');
});

test('the console surface: redirect, SPA fallback, caching and security headers', { timeout: 60_000 }, async () => {
  const base = server.server.url;
  const get = (url: string) => fetch(base + url, { redirect: 'manual' });

  const bare = await get('/console?x=1');
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/console/?x=1');

  for (const url of ['/console/', '/console/environments/demo/integrations/int_x', '/console/setup?token=abc']) {
    const page = await get(url);
    assert.equal(page.status, 200, url);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('content-security-policy'), "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, 'index.html loads a hashed script');
    assert.ok(!/<script(?![^>]*\ssrc=)[^>]*>/.test(html), 'no inline script (the CSP would block it)');
    const asset = await get(script!);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('x-content-type-options'), 'nosniff');
  }
  assert.equal((await get('/console/assets/missing-123.js')).status, 404, 'a missing file is no page');
  const info = (await (await get('/console/server.json')).json()) as Record<string, string>;
  assert.deepEqual(info, { issuer: server.server.issuer, tokenEndpoint: `${server.server.issuer}/oauth/token`, audience: server.server.issuer });
});

test('without a built console, /console/ says how to build it instead of failing', async () => {
  const { default: Fastify } = await import('fastify');
  const { consoleSurface } = await import('../packages/server/src/http/surfaces/console.ts');
  const empty = mkdtempSync(path.join(tmpdir(), 'latchkey-no-console-'));
  const app = Fastify();
  try {
    await app.register(consoleSurface, { services: { config: { issuer: 'http://127.0.0.1:1', audience: 'http://127.0.0.1:1' } } as never, root: empty });
    for (const url of ['/console/', '/console/environments/demo']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 503, url);
      assert.match(response.body, /the console is not built: run npm run build --workspace packages\/console/);
    }
  } finally {
    await app.close();
    rmSync(empty, { recursive: true, force: true });
  }
});
