/**
 * `npm run bench`: the SPEC §7 figures, every one a ratio to a reference measured in the same run.
 *
 *   1. Latchkey, reused token      POST /oauth/token, 32 connections, 2 s warm-up + 10 s
 *   2. bare node:http baseline     same load, same response bytes
 *   3. oidc-provider peer          same load, client credentials with RS256 JWT access tokens
 *   4. Latchkey, minting           reuse window = TTL, requests round-robin over 10,000 integrations
 *   5. node:crypto reference       synchronous RS256 signatures per second on one core
 *   6. Environment API             GET templates/{id} with a bearer token, 32 connections
 *   7. bare node:http baseline     GET answering the same bytes
 *   8. verifying a known token     in-process micro-benchmark (bench/micro/verify-token.ts)
 *   9. media                       a 20 MB upload's RSS growth; a 4000×3000 JPEG's previews (bench/media.ts)
 *
 * Servers run as child processes (one at a time, so each has the machine to itself besides
 * autocannon); autocannon runs here. Prints a table and writes bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, killAllNow, ROOT, runNode, startNode, stopAll, waitForHttp, type Child } from './lib/children.ts';
import { clean, CONNECTIONS, describeFailures, load, MEASURE_SECONDS, WARMUP_SECONDS, warmAndMeasure, type LoadResult, type LoadSpec } from './lib/load.ts';
import { describeCpu } from './lib/cpu.ts';
import { formatConsole, formatMarkdown, type Row } from './lib/report.ts';
import { runMediaBench } from './media.ts';

const COMMAND = 'npm run bench';
const CLI = 'packages/cli/bin/latchkey.mjs';
const MINT_INTEGRATIONS = Number(process.env.BENCH_MINT_INTEGRATIONS ?? 10_000);
const HOST = '127.0.0.1';
/** Cores used by other processes during a run above which its figure is flagged. */
const OTHER_LOAD_WARNING = 0.25;

const startedAt = Date.now();
const log = (message: string) => console.log(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${message}`);
const failures: string[] = [];
const fail = (message: string) => {
  failures.push(message);
  console.log(`FAIL: ${message}`);
};

/** The environment of every Latchkey child: only what the benchmark sets (no inherited database or keys). */
function latchkeyEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { LATCHKEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra };
}
const INHERITED_CONFIG = /^(LATCHKEY_|DATABASE_URL$|REDIS_URL$|PUBLIC_URL$|TRUST_PROXY$|PORT$|HOST$)/;
for (const name of Object.keys(process.env)) if (INHERITED_CONFIG.test(name)) delete process.env[name];

async function cliJson<T>(dataDir: string, args: string[]): Promise<T> {
  const stdout = await runNode(`latchkey ${args.slice(0, 2).join(' ')}`, [CLI, ...args, '--json'], latchkeyEnv(dataDir));
  return JSON.parse(stdout) as T;
}

interface Credentials {
  clientId: string;
  clientSecret: string;
}

async function post(url: string, contentType: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, text: await response.text() };
}

function jwtHeader(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

function rssMb(child: Child): number | null {
  try {
    const status = readFileSync(`/proc/${child.process.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

async function startLatchkey(name: string, dataDir: string): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = startNode(name, [CLI, 'serve'], latchkeyEnv(dataDir, { PORT: String(port), HOST }));
  const base = `http://${HOST}:${port}`;
  await waitForHttp(child, `${base}/.well-known/jwks.json`);
  return { child, base };
}

async function startScript(name: string, script: string, env: Record<string, string>, readyPath: string): Promise<{ child: Child; base: string }> {
  const port = await freePort();
  const child = startNode(name, ['--import', 'tsx', script], { ...env, PORT: String(port), HOST });
  const base = `http://${HOST}:${port}`;
  await waitForHttp(child, `${base}${readyPath}`);
  return { child, base };
}

function checkClean(label: string, result: LoadResult): void {
  if (!clean(result)) fail(`${label}: not every response was 200: ${describeFailures(result)}`);
}

const summary = (r: LoadResult) =>
  `${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s, ${r.total} requests in ${r.seconds.toFixed(1)} s, ` +
  `latency p50 ${r.p50} ms / p99 ${r.p99} ms / max ${r.max} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}` +
  (r.cpu ? `; CPU: ${describeCpu(r.cpu)}` : '');

let workDir: string | null = null;
function removeWorkDir(): void {
  if (workDir && !process.env.BENCH_KEEP) rmSync(workDir, { recursive: true, force: true });
  workDir = null;
}

async function main(): Promise<void> {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  const reuseDir = path.join(workDir, 'reuse');
  const mintDir = path.join(workDir, 'mint');
  const mintCredentialsFile = path.join(workDir, 'mint-credentials.json');
  const details: string[] = [];
  try {
    // ── Setup (both data dirs at once: nothing is being measured yet) ───────────────────────
    log(`setup: data dirs under ${workDir}; creating ${MINT_INTEGRATIONS.toLocaleString('en-US')} integrations for minting`);
    const [reuseClient] = await Promise.all([
      (async () => {
        await cliJson(reuseDir, ['env', 'create', 'bench']);
        return cliJson<Credentials>(reuseDir, ['integrations', 'create', '--env', 'bench', '--name', 'bench', '--preset', 'all']);
      })(),
      (async () => {
        await cliJson(mintDir, ['env', 'create', 'mint', '--token-ttl-seconds', '3600', '--token-reuse-window-seconds', '3600']);
        const started = Date.now();
        await runNode('setup-mint', ['--import', 'tsx', 'bench/setup-mint.ts', 'mint', String(MINT_INTEGRATIONS), mintCredentialsFile], latchkeyEnv(mintDir));
        log(`setup: ${MINT_INTEGRATIONS.toLocaleString('en-US')} integrations created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      })(),
    ]);
    const tokenBody = JSON.stringify({ grant_type: 'client_credentials', client_id: reuseClient.clientId, client_secret: reuseClient.clientSecret });
    const jsonHeaders = { 'content-type': 'application/json' };

    // ── 1. Latchkey, reused token ───────────────────────────────────────────────────────────
    log('1/9 Latchkey, reused token: starting the server');
    let latchkeyReuse: LoadResult;
    let responseBody: string;
    let reuseRss: number | null;
    {
      const { child, base } = await startLatchkey('latchkey (reuse)', reuseDir);
      const url = `${base}/oauth/token`;
      const first = await post(url, 'application/json', tokenBody);
      const second = await post(url, 'application/json', tokenBody);
      if (first.status !== 200) throw new Error(`Latchkey answered ${first.status} to a valid token request: ${first.text}`);
      const a = JSON.parse(first.text) as { access_token: string };
      const b = JSON.parse(second.text) as { access_token: string };
      if (a.access_token !== b.access_token) fail('Latchkey did not reuse the token between two requests of the same integration');
      responseBody = second.text;
      log(`1/9 loading ${url}: ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s, ${CONNECTIONS} connections`);
      const { warm, measured } = await warmAndMeasure({ url, headers: jsonHeaders, body: tokenBody }, child.process.pid);
      latchkeyReuse = measured;
      reuseRss = rssMb(child);
      checkClean('Latchkey reused token (warm-up)', warm);
      checkClean('Latchkey reused token', measured);
      log(`1/9 Latchkey reused token: ${summary(measured)}`);
      details.push(`- Latchkey, reused token: ${summary(measured)}; warm-up ${summary(warm)}; response ${Buffer.byteLength(responseBody)} bytes; server RSS after the run ${reuseRss?.toFixed(0) ?? '?'} MB.`);
      await child.stop();
    }

    // ── 2. Bare node:http baseline ──────────────────────────────────────────────────────────
    log('2/9 bare node:http baseline: starting the server');
    let baseline: LoadResult;
    {
      const { child, base } = await startScript('baseline', 'bench/servers/baseline.ts', { BENCH_BODY: responseBody }, '/');
      const url = `${base}/oauth/token`;
      const check = await post(url, 'application/json', tokenBody);
      if (check.status !== 200 || check.text !== responseBody) throw new Error('the baseline does not answer with the Latchkey response bytes');
      log(`2/9 loading ${url} identically`);
      const { warm, measured } = await warmAndMeasure({ url, headers: jsonHeaders, body: tokenBody }, child.process.pid);
      baseline = measured;
      checkClean('baseline (warm-up)', warm);
      checkClean('baseline', measured);
      log(`2/9 baseline: ${summary(measured)}`);
      details.push(`- Bare node:http baseline (same ${Buffer.byteLength(responseBody)}-byte body and headers): ${summary(measured)}.`);
      await child.stop();
    }

    // ── 3. oidc-provider ────────────────────────────────────────────────────────────────────
    log('3/9 oidc-provider: starting the server');
    let oidc: LoadResult;
    {
      const clientId = 'bench-client';
      const clientSecret = 'bench-client-secret-0123456789abcdef0123456789abcdef';
      const { child, base } = await startScript(
        'oidc-provider',
        'bench/servers/oidc.ts',
        { BENCH_CLIENT_ID: clientId, BENCH_CLIENT_SECRET: clientSecret, BENCH_RESOURCE: 'https://api.bench.example' },
        '/.well-known/openid-configuration',
      );
      const url = `${base}/token`;
      // oidc-provider's token endpoint reads form bodies only (RFC 6749 §4.4.2).
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'api:read api:write' }).toString();
      const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
      const check = await post(url, formHeaders['content-type'], form);
      if (check.status !== 200) throw new Error(`oidc-provider answered ${check.status}: ${check.text}`);
      const token = (JSON.parse(check.text) as { access_token: string }).access_token;
      const header = jwtHeader(token);
      if (header.alg !== 'RS256') throw new Error(`oidc-provider issued a token that is not an RS256 JWT: ${JSON.stringify(header)}`);
      log(`3/9 loading ${url} identically (form body: oidc-provider reads no JSON at its token endpoint)`);
      const { warm, measured } = await warmAndMeasure({ url, headers: formHeaders, body: form }, child.process.pid);
      oidc = measured;
      checkClean('oidc-provider (warm-up)', warm);
      checkClean('oidc-provider', measured);
      log(`3/9 oidc-provider: ${summary(measured)}`);
      details.push(`- oidc-provider ${readVersion('oidc-provider')} (client_credentials, RS256 JWT access tokens via resourceIndicators, client_secret_post, ${Buffer.byteLength(check.text)}-byte response): ${summary(measured)}.`);
      await child.stop();
    }

    // ── 4. Latchkey, minting ────────────────────────────────────────────────────────────────
    log('4/9 Latchkey, minting: starting the server');
    let mint: LoadResult;
    let mintWarm: LoadResult;
    let mintRss: number | null;
    {
      const credentials = JSON.parse(readFileSync(mintCredentialsFile, 'utf8')) as Credentials[];
      if (credentials.length !== MINT_INTEGRATIONS) throw new Error(`expected ${MINT_INTEGRATIONS} integrations, found ${credentials.length}`);
      const bodies = credentials.map((c) => JSON.stringify({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }));
      let next = 0;
      const { child, base } = await startLatchkey('latchkey (mint)', mintDir);
      const url = `${base}/oauth/token`;
      const first = await post(url, 'application/json', bodies[0]!);
      const second = await post(url, 'application/json', bodies[0]!);
      if (first.status !== 200 || second.status !== 200) throw new Error(`Latchkey answered ${first.status}/${second.status} when minting: ${first.text}`);
      const a = (JSON.parse(first.text) as { access_token: string }).access_token;
      const b = (JSON.parse(second.text) as { access_token: string }).access_token;
      if (a === b) fail('minting: a window equal to the TTL must mint a fresh token per request, but a token was reused');
      const header = jwtHeader(a);
      if (header.alg !== 'RS256') fail(`minting: tokens are signed with ${String(header.alg)}, not RS256`);
      const spec: LoadSpec = { url, headers: jsonHeaders, nextBody: () => bodies[next++ % bodies.length]! };
      // Warm-up: one pass over every integration, so the measured run sees a warm client cache.
      log(`4/9 warm-up: one request per integration (${MINT_INTEGRATIONS.toLocaleString('en-US')}), ${CONNECTIONS} connections`);
      mintWarm = await load(spec, { amount: MINT_INTEGRATIONS });
      checkClean('minting (warm-up)', mintWarm);
      log(`4/9 warm-up (cold client cache; autocannon ends a fixed-count run on a whole-second tick, so this rate is a lower bound): ${summary(mintWarm)}`);
      log(`4/9 loading ${url}: ${MEASURE_SECONDS} s round-robin over ${MINT_INTEGRATIONS.toLocaleString('en-US')} integrations`);
      mint = await load(spec, { duration: MEASURE_SECONDS }, child.process.pid);
      mintRss = rssMb(child);
      checkClean('minting', mint);
      log(`4/9 minting: ${summary(mint)}`);
      details.push(
        `- Latchkey, minting (RS256, reuse window = TTL = 3600 s, round-robin over ${MINT_INTEGRATIONS.toLocaleString('en-US')} integrations): ${summary(mint)}; ` +
          `warm-up pass (one request per integration, client cache cold; a lower bound, as autocannon ends a fixed-count run on a whole-second tick) ${summary(mintWarm)}; server RSS after the run ${mintRss?.toFixed(0) ?? '?'} MB.`,
      );
      await child.stop();
    }

    // ── 5. node:crypto reference ────────────────────────────────────────────────────────────
    log('5/9 node:crypto: synchronous RS256 signatures on one core');
    const signOut = await runNode('sign-rate', ['--import', 'tsx', 'bench/servers/sign-rate.ts'], { BENCH_SIGN_SECONDS: '3' });
    const signing = JSON.parse(signOut.trim().split('\n').at(-1)!) as { signaturesPerSecond: number; signatures: number; seconds: number; inputBytes: number; otherCores: number; stealCores: number };
    log(`5/9 node:crypto: ${Math.round(signing.signaturesPerSecond).toLocaleString('en-US')} signatures/s`);
    details.push(
      `- node:crypto reference: ${signing.signatures} synchronous \`crypto.sign('sha256', …)\` RSA-2048 signatures of a ${signing.inputBytes}-byte JWT signing input in ${signing.seconds.toFixed(2)} s, one thread (after 0.5 s warm-up); other processes ${fmtCores(signing.otherCores)} cores, steal ${fmtCores(signing.stealCores)} cores.`,
    );

    // ── 6. Environment API, GET templates/{id} ──────────────────────────────────────────────
    log('6/9 Environment API: starting the server');
    let apiGet: LoadResult;
    let apiBody: string;
    let apiUrlPath: string;
    {
      const { child, base } = await startLatchkey('latchkey (environment API)', reuseDir);
      const token = (JSON.parse((await post(`${base}/oauth/token`, 'application/json', tokenBody)).text) as { access_token: string }).access_token;
      const auth = { authorization: `Bearer ${token}` };
      const created = await fetch(`${base}/grafx/api/v1/environment/bench/templates?name=Bench&folderPath=/bench`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ pages: [{ width: 210, height: 297 }] }),
      });
      if (created.status !== 201) throw new Error(`creating a template answered ${created.status}: ${await created.text()}`);
      const { id } = (await created.json()) as { id: string };
      apiUrlPath = `/grafx/api/v1/environment/bench/templates/${id}`;
      const url = `${base}${apiUrlPath}`;
      const first = await fetch(url, { headers: auth });
      apiBody = await first.text();
      if (first.status !== 200) throw new Error(`GET template answered ${first.status}: ${apiBody}`);
      const refused = await fetch(url);
      if (refused.status !== 401) fail(`GET template without a token answered ${refused.status}, not 401`);
      log(`6/9 loading GET ${url}: ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s, ${CONNECTIONS} connections`);
      const { warm, measured } = await warmAndMeasure({ url, method: 'GET', headers: auth }, child.process.pid);
      apiGet = measured;
      checkClean('Environment API GET template (warm-up)', warm);
      checkClean('Environment API GET template', measured);
      log(`6/9 Environment API GET template: ${summary(measured)}`);
      details.push(`- Environment API \`GET templates/{id}\` with a bearer token (${Buffer.byteLength(apiBody)}-byte response): ${summary(measured)}; warm-up ${summary(warm)}.`);
      await child.stop();
    }

    // ── 7. Bare node:http baseline, same GET bytes ──────────────────────────────────────────
    log('7/9 bare node:http baseline for the GET: starting the server');
    let apiBaseline: LoadResult;
    {
      const { child, base } = await startScript('baseline (GET)', 'bench/servers/baseline.ts', { BENCH_BODY: apiBody }, '/');
      const url = `${base}${apiUrlPath}`;
      const { warm, measured } = await warmAndMeasure({ url, method: 'GET', headers: { authorization: 'Bearer x' } }, child.process.pid);
      apiBaseline = measured;
      checkClean('baseline GET (warm-up)', warm);
      checkClean('baseline GET', measured);
      log(`7/9 baseline GET: ${summary(measured)}`);
      details.push(`- Bare node:http baseline answering the same ${Buffer.byteLength(apiBody)} bytes to the same GET: ${summary(measured)}.`);
      await child.stop();
    }

    // ── 8. Verifying a known token, in process ──────────────────────────────────────────────
    log('8/9 verifying a known bearer token, in process');
    const verifyOut = await runNode('verify-token', ['--import', 'tsx', 'bench/micro/verify-token.ts'], {});
    const verify = JSON.parse(verifyOut.trim().split('\n').at(-1)!) as { iterations: number; microsecondsPerVerification: number; tokenBytes: number };
    log(`8/9 known token: ${verify.microsecondsPerVerification.toFixed(2)} µs per verification`);
    details.push(
      `- Verifying an already-seen bearer token (\`node --import tsx bench/micro/verify-token.ts\`): ${verify.microsecondsPerVerification.toFixed(2)} µs each over ${verify.iterations.toLocaleString('en-US')} verifications of a ${verify.tokenBytes}-byte token, each a fresh string as read from a request header.`,
    );

    // ── 9. Media: upload memory and preview time ────────────────────────────────────────────
    log('9/9 media: upload memory and preview time');
    const media = await runMediaBench({
      log,
      workDir,
      startLatchkey: async (name, dataDir, extraEnv = {}) => {
        const port = await freePort();
        const child = startNode(name, [CLI, 'serve'], latchkeyEnv(dataDir, { PORT: String(port), HOST, ...extraEnv }));
        const base = `http://${HOST}:${port}`;
        await waitForHttp(child, `${base}/.well-known/jwks.json`);
        return { child, base };
      },
    });
    details.push(...media.details);

    // ── Report ──────────────────────────────────────────────────────────────────────────────
    const reuseRatio = latchkeyReuse.requestsPerSecond / baseline.requestsPerSecond;
    const oidcRatio = latchkeyReuse.requestsPerSecond / oidc.requestsPerSecond;
    const mintRatio = mint.requestsPerSecond / signing.signaturesPerSecond;
    const apiRatio = apiGet.requestsPerSecond / apiBaseline.requestsPerSecond;
    const valid = (r: LoadResult) => clean(r);
    const other = (...values: Array<number | undefined>) => {
      const known = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
      return known.length ? `${Math.max(...known).toFixed(2)} cores` : '?';
    };
    const o = (r: LoadResult) => r.cpu?.other;
    const rows: Row[] = [
      { figure: 'Latchkey POST /oauth/token, reused token', value: rate(latchkeyReuse), target: 'context', result: valid(latchkeyReuse) ? '' : 'FAIL', other: other(o(latchkeyReuse)) },
      { figure: 'bare node:http, same bytes (reference)', value: rate(baseline), target: 'reference', result: valid(baseline) ? '' : 'FAIL', other: other(o(baseline)) },
      { figure: 'Latchkey reused ÷ node:http', value: `${reuseRatio.toFixed(2)}×`, target: '≥ 0.6× (aim 0.8×)', result: verdict(valid(latchkeyReuse) && valid(baseline), reuseRatio >= 0.6, reuseRatio >= 0.8), other: other(o(latchkeyReuse), o(baseline)) },
      { figure: 'Latchkey reused, p99 latency', value: `${latchkeyReuse.p99} ms`, target: '≤ 5 ms', result: verdict(valid(latchkeyReuse), latchkeyReuse.p99 <= 5), other: other(o(latchkeyReuse)) },
      { figure: 'Latchkey reused, non-2xx responses', value: String(latchkeyReuse.non2xx + latchkeyReuse.errors + latchkeyReuse.timeouts), target: '0', result: valid(latchkeyReuse) ? 'PASS' : 'FAIL', other: other(o(latchkeyReuse)) },
      { figure: 'oidc-provider, client credentials, RS256 JWT (reference)', value: rate(oidc), target: 'reference', result: valid(oidc) ? '' : 'FAIL', other: other(o(oidc)) },
      { figure: 'Latchkey reused ÷ oidc-provider', value: `${oidcRatio.toFixed(1)}×`, target: '≥ 5× (aim 10×)', result: verdict(valid(latchkeyReuse) && valid(oidc), oidcRatio >= 5, oidcRatio >= 10), other: other(o(latchkeyReuse), o(oidc)) },
      { figure: `Latchkey minting, RS256, ${MINT_INTEGRATIONS.toLocaleString('en-US')} integrations`, value: `${Math.round(mint.requestsPerSecond).toLocaleString('en-US')} tokens/s`, target: '≥ 2,000 tokens/s', result: verdict(valid(mint), mint.requestsPerSecond >= 2000), other: other(o(mint)) },
      { figure: 'node:crypto RS256 signatures, one core (reference)', value: `${Math.round(signing.signaturesPerSecond).toLocaleString('en-US')} /s`, target: 'reference', result: '', other: other(signing.otherCores) },
      { figure: 'Latchkey minting ÷ node:crypto', value: `${mintRatio.toFixed(2)}×`, target: '≥ 0.5×', result: verdict(valid(mint), mintRatio >= 0.5), other: other(o(mint), signing.otherCores) },
      { figure: 'Latchkey minting, p99 latency', value: `${mint.p99} ms (max ${mint.max} ms)`, target: 'context', result: '', other: other(o(mint)) },
      { figure: 'Environment API GET templates/{id}, bearer token', value: rate(apiGet), target: 'context', result: valid(apiGet) ? '' : 'FAIL', other: other(o(apiGet)) },
      { figure: 'bare node:http, same GET bytes (reference)', value: rate(apiBaseline), target: 'reference', result: valid(apiBaseline) ? '' : 'FAIL', other: other(o(apiBaseline)) },
      { figure: 'Environment API GET ÷ node:http', value: `${apiRatio.toFixed(2)}×`, target: '≥ 0.4× (aim 0.6×)', result: verdict(valid(apiGet) && valid(apiBaseline), apiRatio >= 0.4, apiRatio >= 0.6), other: other(o(apiGet), o(apiBaseline)) },
      ...media.rows,
      { figure: 'Verifying a known bearer token, in process', value: `${verify.microsecondsPerVerification.toFixed(2)} µs`, target: '≤ 20 µs', result: verdict(true, verify.microsecondsPerVerification <= 20), other: '—', command: 'node --import tsx bench/micro/verify-token.ts' },
    ];
    const warnings: string[] = [];
    for (const [label, value] of [
      ['Latchkey reused token', o(latchkeyReuse)],
      ['node:http baseline', o(baseline)],
      ['oidc-provider', o(oidc)],
      ['Latchkey minting', o(mint)],
      ['node:crypto', signing.otherCores],
      ['Environment API GET', o(apiGet)],
      ['node:http baseline (GET)', o(apiBaseline)],
    ] as const) {
      if (value !== undefined && value > OTHER_LOAD_WARNING) {
        warnings.push(`other processes used ${value.toFixed(2)} cores during the ${label} run: its figure (and every ratio using it) is not reliable; run again on a quiet machine`);
      }
    }
    const meta = {
      date: new Date().toISOString(),
      node: process.version,
      nproc: nproc(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      command: COMMAND,
      seconds: (Date.now() - startedAt) / 1000,
      load: `autocannon ${readVersion('autocannon')} in the benchmark process, ${CONNECTIONS} connections, pipelining 1, loopback; ${WARMUP_SECONDS} s warm-up then ${MEASURE_SECONDS} s measured`,
    };
    console.log('');
    console.log(formatConsole(rows, meta));
    if (warnings.length) console.log(`\nWARNING (shared machine):\n${warnings.map((w) => `  - ${w}`).join('\n')}`);
    if (failures.length) console.log(`\n${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), formatMarkdown(rows, meta, details, failures, warnings));
    console.log(`\nWrote bench/RESULTS.md (${meta.seconds.toFixed(0)} s in all).`);
  } finally {
    await stopAll();
    removeWorkDir();
  }
}

const fmtCores = (value: number | null | undefined) => (value != null && Number.isFinite(value) ? value.toFixed(2) : '?');

function rate(result: LoadResult): string {
  return `${Math.round(result.requestsPerSecond).toLocaleString('en-US')} req/s (p99 ${result.p99} ms)`;
}

function verdict(valid: boolean, pass: boolean, aim?: boolean): string {
  if (!valid) return 'FAIL';
  if (!pass) return 'MISS';
  return aim === undefined ? 'PASS' : aim ? 'PASS (aim met)' : 'PASS (below aim)';
}

function nproc(): string {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(os.availableParallelism());
  }
}

function readVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping the servers`);
    void stopAll().finally(() => {
      removeWorkDir();
      process.exit(130);
    });
  });
}

try {
  await main();
  process.exitCode = failures.length ? 1 : 0;
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
// fetch keeps idle sockets to the (now stopped) servers; nothing else is left to wait for.
process.exit();
