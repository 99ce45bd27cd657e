/**
 * In-process cost of verifying an already-seen bearer token (SPEC §7: ≤ 20 µs), through the same
 * AccessTokenVerifier the Environment API's bearer hook calls. Prints one JSON line.
 *
 * Usage: node --import tsx bench/micro/verify-token.ts   (BENCH_VERIFY_ITERATIONS, default 200000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, loadConfig } from '../../packages/server/src/index.ts';

const iterations = Number(process.env.BENCH_VERIFY_ITERATIONS ?? 200_000);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-verify-'));
const services = await createServices(
  loadConfig({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'), PUBLIC_URL: 'http://bench.test', LOG_LEVEL: 'silent' }),
);
try {
  await services.start();
  await services.environments.create({ id: 'bench' });
  const integration = await services.integrations.create('bench', { name: 'bench', preset: 'all' });
  const client = await services.clientAuthentication.authenticate({ clientId: integration.clientId, clientSecret: integration.clientSecret, method: 'client_secret_post' });
  const issued = await services.issuer.issue(client, services.config.audiences[0]!, client.scope);
  const verifier = services.accessTokens;
  // Let the change feed deliver the creation above (it drops the integration's cached state once).
  await new Promise((resolve) => setTimeout(resolve, 600));
  // The first call verifies the signature and reads the database; every later one is the cached path.
  await verifier.verify(issued.token, 'bench');
  // Each request brings its own copy of the token (read from its header): fresh strings, whose
  // hash V8 has not cached yet, built outside the timed loop in batches.
  const BATCH = 10_000;
  const run = async (count: number) => {
    let elapsed = 0n;
    for (let done = 0; done < count; done += BATCH) {
      const copies = Array.from({ length: Math.min(BATCH, count - done) }, () => Buffer.from(issued.token).toString('latin1'));
      const started = process.hrtime.bigint();
      for (const copy of copies) {
        const principal = verifier.verify(copy, 'bench');
        if (principal instanceof Promise) throw new Error('a known token was not verified from the cache');
      }
      elapsed += process.hrtime.bigint() - started;
      // Let the change feed poll: a process whose event loop stalls stops trusting its caches.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return Number(elapsed) / 1000 / count;
  };
  await run(Math.min(20_000, iterations));
  const microseconds = await run(iterations);
  console.log(JSON.stringify({ iterations, microsecondsPerVerification: microseconds, tokenBytes: issued.token.length }));
} finally {
  await services.close();
  rmSync(dataDir, { recursive: true, force: true });
}
