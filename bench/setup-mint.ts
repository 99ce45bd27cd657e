/**
 * Creates N integrations in an existing environment of a Latchkey data dir, in-process (the CLI
 * starts a process per call: far too slow for 10,000), and writes their credentials as JSON.
 *
 * Usage: LATCHKEY_DATA_DIR=<dir> node --import tsx bench/setup-mint.ts <environment> <count> <out.json>
 */
import { writeFileSync } from 'node:fs';
import { createServices, loadConfig } from '../packages/server/src/index.ts';

const [environment, countArg, out] = process.argv.slice(2);
const count = Number(countArg);
if (!environment || !out || !Number.isInteger(count) || count < 1) {
  console.error('usage: setup-mint.ts <environment> <count> <out.json>');
  process.exit(2);
}

const context = await createServices(loadConfig());
try {
  const credentials: Array<{ clientId: string; clientSecret: string }> = [];
  for (let i = 0; i < count; i++) {
    const created = await context.integrations.create(environment, { name: `mint-${i}`, preset: 'all', createdBy: 'bench' });
    credentials.push({ clientId: created.clientId, clientSecret: created.clientSecret });
  }
  writeFileSync(out, JSON.stringify(credentials));
  console.log(JSON.stringify({ created: credentials.length }));
} finally {
  await context.close();
}
