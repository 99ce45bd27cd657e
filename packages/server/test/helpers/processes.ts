// Black-box helpers: run the real `latchkey` CLI and a real `latchkey serve` process against a
// test database (SQLite data dir or a PostgreSQL schema from database.ts), on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from './database.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CLI = path.join(REPO_ROOT, 'packages/cli/bin/latchkey.mjs');

/**
 * Settings a developer's shell may carry that would point a spawned process elsewhere, and the
 * test runner's own marker (a spawned process is not a test file).
 */
const CONFIG_VARIABLES = /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|REDIS_URL|TRUST_PROXY|LOG_LEVEL|LATCHKEY_.*|NODE_TEST_CONTEXT)$/;

/**
 * The environment every process of one test database gets: the data dir, and with PostgreSQL the
 * schema URL and a master key (required there; with SQLite the processes share `master.key`).
 */
export function processEnv(database: TestDatabase, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !CONFIG_VARIABLES.test(name)) env[name] = value;
  env.LATCHKEY_DATA_DIR = database.dataDir;
  env.LOG_LEVEL = 'warn';
  if (database.databaseUrl) {
    env.DATABASE_URL = database.databaseUrl;
    env.LATCHKEY_MASTER_KEY = masterKeyFor(database);
  }
  return { ...env, ...extra };
}

const masterKeys = new WeakMap<TestDatabase, string>();
function masterKeyFor(database: TestDatabase): string {
  let key = masterKeys.get(database);
  if (!key) masterKeys.set(database, (key = randomBytes(32).toString('base64')));
  return key;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion and collects its output (never throws on a non-zero exit). */
export function run(command: string, args: string[], options: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `node packages/cli/bin/latchkey.mjs ARGS` from the repository root. */
export function runCli(args: string[], env: Record<string, string>): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { env });
}

/** Runs the CLI, expects exit code 0 and parses its `--json` output. */
export async function cliJson<T = Record<string, unknown>>(args: string[], env: Record<string, string>): Promise<T> {
  const result = await runCli(args, env);
  if (result.code !== 0) throw new Error(`latchkey ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`latchkey ${args.join(' ')} printed no JSON:\n${result.stdout}\nstderr: ${result.stderr}`);
  }
}

export interface RunningServer {
  port: number;
  /** http://127.0.0.1:PORT — where requests go. */
  url: string;
  /** The discovery document's issuer (PUBLIC_URL normalised: the `iss` claim). */
  issuer: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `latchkey serve` on a free port and waits until the discovery document answers.
 * A port taken between choosing and listening is retried with another one.
 */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOnPort(port, env, args);
    } catch (error) {
      lastError = error as Error;
      if (!/EADDRINUSE/.test(lastError.message)) throw lastError;
    }
  }
  throw lastError;
}

async function startOnPort(port: number, env: Record<string, string>, args: string[]): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', ...args], {
    cwd: REPO_ROOT,
    // PUBLIC_URL=auto: the issuer is this process's own address (for clients that discover it).
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', ...(env.PUBLIC_URL === 'auto' ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (true) {
    if (exited) throw new Error(`latchkey serve exited before answering:\n${output}`);
    try {
      const response = await fetch(`${url}/.well-known/oauth-authorization-server`);
      if (response.ok) {
        const { issuer } = (await response.json()) as { issuer: string };
        return { port, url, issuer, output: () => output, stop };
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`latchkey serve did not answer within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
