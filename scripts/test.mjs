#!/usr/bin/env node
// Runs every *.test.ts under packages/ and e2e/ with node:test (TypeScript through tsx). Files run in
// parallel processes; each test file creates its own databases, so they never share state.
// DIALECTS=sqlite,postgres (default sqlite) chooses the databases the suites loop over.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

function find(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) find(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...find('packages'), ...find('e2e')].filter((file) => filters.length === 0 || filters.some((f) => file.includes(f))).sort();
const concurrency = Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit', env: { ...process.env, DIALECTS: process.env.DIALECTS ?? 'sqlite' } },
);
process.exit(result.status ?? 1);
