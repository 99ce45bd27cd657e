/**
 * The minting reference: how many RS256 (RSA-2048, SHA-256) signatures of a typical JWT signing
 * input node:crypto makes per second, synchronously, on this process's one thread.
 * Prints one JSON line: {signaturesPerSecond, signatures, seconds, inputBytes, otherCores, stealCores}.
 *
 * Env: BENCH_SIGN_SECONDS (default 3).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { SCOPES } from '../../packages/contract/src/scopes.ts';
import { cpuUse, snapshot } from '../lib/cpu.ts';

const seconds = Number(process.env.BENCH_SIGN_SECONDS ?? 3);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

// A signing input shaped like Latchkey's access tokens (RFC 9068 header and claims).
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const header = b64({ alg: 'RS256', typ: 'at+jwt', kid: '0123456789abcdef' });
const claims = b64({
  iss: 'http://127.0.0.1:8080',
  sub: '0123456789abcdefghijABCDEFGHIJkl',
  aud: 'http://127.0.0.1:8080',
  exp: now + 3600,
  iat: now,
  jti: randomBytes(18).toString('base64url'),
  client_id: '0123456789abcdefghijABCDEFGHIJkl',
  azp: '0123456789abcdefghijABCDEFGHIJkl',
  scope: SCOPES.join(' '), // the `all` preset
  gty: 'client-credentials',
  environment: 'bench',
  integration_id: 'int_0123456789abcdefghijkl',
});
const input = Buffer.from(`${header}.${claims}`);

function run(ms: number): number {
  const end = performance.now() + ms;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) sign('sha256', input, privateKey);
    count += 10;
  }
  return count;
}

run(500); // warm-up
const before = snapshot();
const started = performance.now();
const signatures = run(seconds * 1000);
const elapsed = (performance.now() - started) / 1000;
// `other` is the rest of the machine while this process signed (on its one thread).
const { other, steal } = cpuUse(before, snapshot(), signatures);
console.log(JSON.stringify({ signaturesPerSecond: signatures / elapsed, signatures, seconds: elapsed, inputBytes: input.length, otherCores: other, stealCores: steal }));
