// SPEC §2: "The seeds' samples (cURL JSON and form, Python, Node, Go, Java) must work with only the
// host, the audience and the credentials changed." This suite takes the samples out of the seed
// pages (test/fixtures/seeds, copied from the public GraFx docs), changes only the host and the
// credential placeholders (the audience stays https://chiligrafx.com: the server is started with
// LATCHKEY_AUDIENCE=https://chiligrafx.com) and runs them as they are, against a real
// `latchkey serve` process set up with the real CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/database.ts';
import { cliJson, processEnv, run, startServer, type RunningServer } from './helpers/processes.ts';

const SEEDS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/seeds');
const TOKEN_SEED = '000_ddc1eedb34c02c3c.txt'; // "Generating A Token": cURL JSON, Python, Node, Go, response example
const FORM_SEED = '002_831a8f3cca59c51d.txt'; // "Managing Integrations": the cURL form sample
const SEED_HOST = 'https://integration-login.chiligrafx.com';
const SEED_AUDIENCE = 'https://chiligrafx.com';
const ID_PLACEHOLDERS = ['<YOUR CLIENT ID>', '<CLIENT_ID>'];
const SECRET_PLACEHOLDERS = ['<YOUR CLIENT SECRET>', '<CLIENT_SECRET>'];

interface CodeBlock {
  /** The `=== "Tab"` the block sits in, or null for a block outside any tab. */
  tab: string | null;
  lang: string;
  code: string;
}

/**
 * The fenced code blocks of a markdown page written for mkdocs-material: blocks inside a
 * `=== "Tab"` are indented (four spaces) and are de-indented here by their fence's indentation.
 */
function extractCodeBlocks(text: string): CodeBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let tab: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = /^===\s+"([^"]+)"\s*$/.exec(line);
    if (header) {
      tab = header[1]!;
      continue;
    }
    const open = /^( *)(`{3,})\s*([\w+#.-]*)\s*$/.exec(line);
    if (!open) {
      if (/^\S/.test(line)) tab = null; // back at the top level: the tabs have ended
      continue;
    }
    const indent = open[1]!.length;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const current = lines[j]!;
      if (current.trim() === fence) break;
      const leading = /^ */.exec(current)![0].length;
      body.push(current.slice(Math.min(leading, indent)));
    }
    assert.ok(j < lines.length, `unclosed code fence at line ${i + 1}`);
    blocks.push({ tab: indent > 0 ? tab : null, lang: open[3]!.toLowerCase(), code: `${body.join('\n')}\n` });
    if (indent === 0) tab = null;
    i = j;
  }
  return blocks;
}

function readSeed(name: string): CodeBlock[] {
  return extractCodeBlocks(readFileSync(path.join(SEEDS, name), 'utf8'));
}

/** The one code block of the given tab (and language) in a seed. */
function sample(seed: string, tab: string, lang: string): string {
  const found = readSeed(seed).filter((block) => block.tab === tab && block.lang === lang);
  assert.equal(found.length, 1, `${seed} should hold exactly one ${lang} block in the "${tab}" tab`);
  return found[0]!.code;
}

/** Only the host and the credential placeholders change; everything else runs as published. */
function substitute(code: string, server: RunningServer, credentials: { clientId: string; clientSecret: string }): string {
  assert.ok(code.includes(SEED_HOST), 'the sample should call the GraFx token endpoint');
  assert.ok(ID_PLACEHOLDERS.some((p) => code.includes(p)) && SECRET_PLACEHOLDERS.some((p) => code.includes(p)), 'the sample should hold credential placeholders');
  let out = code.split(SEED_HOST).join(server.url);
  for (const placeholder of ID_PLACEHOLDERS) out = out.split(placeholder).join(credentials.clientId);
  for (const placeholder of SECRET_PLACEHOLDERS) out = out.split(placeholder).join(credentials.clientSecret);
  assert.ok(!/<[A-Z _]+>/.test(out), `a placeholder is left in:\n${out}`);
  return out;
}

function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `not a JWS compact serialisation: ${token}`);
  return {
    header: JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()),
  };
}

/** null when `command args` runs and exits 0, else why not (the reason a case is skipped). */
function unavailable(command: string, args: string[], what: string): string | null {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  if (result.error) return `${what}: ${command} is not on PATH (${(result.error as NodeJS.ErrnoException).code})`;
  return result.status === 0 ? null : `${what}: \`${command} ${args.join(' ')}\` failed (exit ${result.status})`;
}

const noCurl = unavailable('curl', ['--version'], 'cURL samples');
const noPython = unavailable('python3', ['-c', 'import requests'], 'Python sample needs python3 with the requests package');
const noGo = unavailable('go', ['version'], 'Go sample');

/** The scope string of the seed's example response ("scope is the permission … set"): all 17 scopes. */
const SEED_SCOPE = (() => {
  const example = readSeed(TOKEN_SEED).find((block) => block.tab === null && block.lang === 'json');
  assert.ok(example, 'the token seed shows an example response');
  return (JSON.parse(example.code) as { scope: string }).scope;
})();

describe('seed extraction', () => {
  it('finds every sample of the token seeds', () => {
    assert.equal(SEED_SCOPE.split(' ').length, 17);
    assert.deepEqual(
      readSeed(TOKEN_SEED)
        .filter((block) => block.tab)
        .map((block) => `${block.tab}/${block.lang}`),
      ['cURL/sh', 'Python/python', 'Node v18+/javascript', 'Go/go', 'Java/java'],
    );
    assert.match(sample(TOKEN_SEED, 'cURL', 'sh'), /^curl -X POST "https:\/\/integration-login\.chiligrafx\.com\/oauth\/token" \\\n -H "Content-Type: application\/json"/);
    assert.match(sample(FORM_SEED, 'cURL', 'sh'), /^curl --location \\\n--request POST .*\n(.*\n)*--data-urlencode 'client_secret=<CLIENT_SECRET>'\n$/);
    assert.match(sample(TOKEN_SEED, 'Python', 'python'), /^import requests\n/);
    assert.match(sample(TOKEN_SEED, 'Node v18+', 'javascript'), /'client_secret': client_id\n/);
  });
});

for (const dialect of dialects()) {
  describe(`seed samples against latchkey serve (${dialect})`, () => {
    let database: TestDatabase;
    let server: RunningServer | undefined;
    let env: Record<string, string>;
    let credentials: { clientId: string; clientSecret: string };
    let firstToken: string | undefined;
    // Samples run as any user's shell would, minus proxies: the server is on the loopback.
    const sampleEnv = () => {
      const { NODE_TEST_CONTEXT: _runner, ...inherited } = process.env;
      return { ...inherited, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' } as Record<string, string>;
    };

    before(async () => {
      database = await createTestDatabase(dialect);
      env = processEnv(database, { LATCHKEY_AUDIENCE: SEED_AUDIENCE });
      server = await startServer(env);
      await cliJson(['env', 'create', 'seeds', '--display-name', 'Seeds', '--json'], env);
      const created = await cliJson<{ clientId: string; clientSecret: string }>(
        ['integrations', 'create', '--env', 'seeds', '--name', 'Seed samples', '--preset', 'all', '--json'],
        env,
      );
      credentials = { clientId: created.clientId, clientSecret: created.clientSecret };
    });

    after(async () => {
      await server?.stop();
      await database?.drop();
    });

    /** Checks a token response as the seed documents it, and that every sample gets one token. */
    function checkTokenResponse(stdout: string): string {
      const body = JSON.parse(stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(typeof body.expires_in, 'number');
      assert.ok(Number.isInteger(body.expires_in) && (body.expires_in as number) > 0 && (body.expires_in as number) <= 86400, `expires_in ${body.expires_in}`);
      assert.equal(body.scope, SEED_SCOPE);
      assert.equal(typeof body.access_token, 'string');
      checkJwt(body.access_token as string);
      return body.access_token as string;
    }

    function checkJwt(token: string): void {
      const { header, payload } = decodeJwt(token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(payload.aud, SEED_AUDIENCE);
      assert.equal(payload.iss, server!.issuer);
      assert.equal(payload.client_id, credentials.clientId);
      assert.equal(payload.scope, SEED_SCOPE);
      assert.equal(payload.environment, 'seeds');
    }

    /** The same integration, audience and scope set: every sample gets the first token again (reuse). */
    function checkReuse(token: string): void {
      if (firstToken === undefined) firstToken = token;
      else assert.equal(token, firstToken, 'a second request within the reuse window returns the same token');
    }

    it('cURL JSON sample (seed 000) gets a token, and the same token again', { skip: noCurl ?? false }, async () => {
      const script = substitute(sample(TOKEN_SEED, 'cURL', 'sh'), server!, credentials);
      for (let i = 0; i < 2; i++) {
        const result = await run('bash', ['-c', script], { env: sampleEnv() });
        assert.equal(result.code, 0, result.stderr);
        checkReuse(checkTokenResponse(result.stdout));
      }
    });

    it('cURL form sample (seed 002) gets the same token', { skip: noCurl ?? false }, async () => {
      const script = substitute(sample(FORM_SEED, 'cURL', 'sh'), server!, credentials);
      assert.match(script, /--data-urlencode/);
      const result = await run('bash', ['-c', script], { env: sampleEnv() });
      assert.equal(result.code, 0, result.stderr);
      checkReuse(checkTokenResponse(result.stdout));
    });

    it('Python sample (seed 000) prints the access token', { skip: noPython ?? false }, async () => {
      const script = substitute(sample(TOKEN_SEED, 'Python', 'python'), server!, credentials);
      const result = await run('python3', ['-c', script], { env: sampleEnv() });
      assert.equal(result.code, 0, result.stderr);
      const token = result.stdout.trim();
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      checkJwt(token);
      checkReuse(token);
    });

    it('Go sample (seed 000) prints the access token', { skip: noGo ?? false }, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-go-'));
      try {
        writeFileSync(path.join(dir, 'main.go'), substitute(sample(TOKEN_SEED, 'Go', 'go'), server!, credentials));
        const result = await run('go', ['run', 'main.go'], { cwd: dir, env: { ...sampleEnv(), GOTOOLCHAIN: 'local' }, timeoutMs: 110_000 });
        assert.equal(result.code, 0, result.stderr);
        const match = /^Token: (\S+)$/m.exec(result.stdout);
        assert.ok(match, result.stdout);
        checkJwt(match[1]!);
        checkReuse(match[1]!);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('Node v18+ sample (seed 000) sends the client id as the secret and is told so', async () => {
      const script = substitute(sample(TOKEN_SEED, 'Node v18+', 'javascript'), server!, credentials);
      const result = await run(process.execPath, ['-e', script], { env: sampleEnv() });
      assert.equal(result.code, 0, result.stderr);
      // The sample prints with console.log: util.inspect of a plain object is a JS object literal.
      const printed = runInNewContext(`(${result.stdout})`) as Record<string, unknown>;
      assert.equal(printed.error, 'invalid_client');
      assert.equal(typeof printed.error_description, 'string');
      assert.match(printed.error_description as string, /secret.*\bclient[ _]?id\b/i);
      assert.ok(!(printed.error_description as string).includes(credentials.clientId), 'the description does not echo credentials');
    });
  });
}

for (const dialect of dialects()) {
  describe(`a new user's first hour with the Environment API (${dialect})`, { skip: noCurl ?? false }, () => {
    let database: TestDatabase;
    let server: RunningServer;
    let env: Record<string, string>;
    before(async () => {
      database = await createTestDatabase(dialect);
      env = processEnv(database, { LATCHKEY_AUDIENCE: SEED_AUDIENCE });
      server = await startServer(env);
      await cliJson(['env', 'create', 'demo', '--json'], env);
    });
    after(async () => {
      await server?.stop();
      await database?.drop();
    });

    const curlToken = async (credentials: { clientId: string; clientSecret: string }) => {
      const script = substitute(sample(TOKEN_SEED, 'cURL', 'sh'), server, credentials);
      const result = await run('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', NO_PROXY: '127.0.0.1' } });
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { access_token: string }).access_token;
    };

    it("gets a token with the seeds' cURL, creates a template and a project, pages through them, is refused a write with a read-only token, revokes the token", async () => {
      const backEnd = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'Back end', '--preset', 'all', '--json'], env);
      const browser = await cliJson<{ clientId: string; clientSecret: string }>(['integrations', 'create', '--env', 'demo', '--name', 'Browser', '--preset', 'read-only', '--json'], env);
      const token = await curlToken(backEnd);
      const api = `${server.url}/grafx/api/v1/environment/demo`;
      const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
        fetch(`${api}/${path}`, {
          method,
          headers: { authorization: `Bearer ${options.token ?? token}`, ...(options.body ? { 'content-type': 'application/json' } : {}) },
          ...(options.body ? { body: JSON.stringify(options.body) } : {}),
        });

      const ids: string[] = [];
      for (const name of ['Flyer', 'Poster', 'Banner']) {
        const created = await call('POST', `templates?name=${name}&folderPath=/campaign`, { body: { pages: [] } });
        assert.equal(created.status, 201);
        ids.push(((await created.json()) as { id: string }).id);
      }
      const project = await call('POST', 'projects', { body: { template: { id: ids[0] } } });
      assert.equal(project.status, 201);
      assert.deepEqual(Object.keys((await project.json()) as object).slice(0, 3), ['id', 'name', 'template']);

      // Page by page, following links.nextPage as GraFx clients do.
      const seen: string[] = [];
      let next = `${api}/templates?limit=2&sortBy=name`;
      while (next) {
        const page = (await (await fetch(next, { headers: { authorization: `Bearer ${token}` } })).json()) as {
          data: Array<{ name: string }>;
          pageSize: number;
          links: { nextPage: string };
          total: number;
        };
        assert.equal(page.total, 3);
        assert.equal(page.pageSize, page.data.length);
        seen.push(...page.data.map((item) => item.name));
        next = page.links.nextPage;
      }
      assert.deepEqual(seen, ['Banner', 'Flyer', 'Poster']);

      const readOnly = await curlToken(browser);
      const refused = await call('POST', 'templates?name=Nope&folderPath=/', { token: readOnly, body: {} });
      assert.equal(refused.status, 403);
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="template:write"/);

      const revoked = await fetch(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: backEnd.clientId, client_secret: backEnd.clientSecret }),
      });
      assert.equal(revoked.status, 200);
      const after = await call('GET', 'templates');
      assert.equal(after.status, 401);
      assert.match(after.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });
  });
}
