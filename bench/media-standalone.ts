/**
 * The media benchmark alone: `node --import tsx bench/media-standalone.ts` (bench/run.ts runs it
 * as part of `npm run bench`). Prints the rows and details it would add to bench/RESULTS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, killAllNow, startNode, stopAll, waitForHttp } from './lib/children.ts';
import { runMediaBench } from './media.ts';

const CLI = 'packages/cli/bin/latchkey.mjs';
const HOST = '127.0.0.1';
const startedAt = Date.now();
const log = (message: string) => console.log(`[media bench ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s] ${message}`);

// Only what the benchmark sets reaches the server (no inherited database, keys or limits).
for (const name of Object.keys(process.env)) if (/^(LATCHKEY_|DATABASE_URL$|REDIS_URL$|PUBLIC_URL$|PORT$|HOST$)/.test(name)) delete process.env[name];

async function startLatchkey(name: string, dataDir: string, extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const child = startNode(name, [CLI, 'serve'], { LATCHKEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PORT: String(port), HOST, ...extraEnv });
  const base = `http://${HOST}:${port}`;
  await waitForHttp(child, `${base}/.well-known/jwks.json`);
  return { child, base };
}

const workDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-media-bench-'));
process.on('exit', killAllNow);
try {
  const { rows, details } = await runMediaBench({ log, startLatchkey, workDir });
  console.log('');
  for (const row of rows) console.log(`${row.figure}: ${row.value} (target ${row.target}) ${row.result}; other load ${row.other}`);
  console.log('');
  for (const detail of details) console.log(detail);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
  if (!process.env.BENCH_KEEP) rmSync(workDir, { recursive: true, force: true });
}
