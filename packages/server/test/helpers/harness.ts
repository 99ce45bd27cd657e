import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { IntegrationWithSecret } from '@latchkey/contract';
import { buildApp, loadConfig, ManualClock, type App, type AppDeps, type Config } from '../../src/index.ts';
import { createTestDatabase, type TestDatabase, type TestDialect } from './database.ts';

export const ISSUER = 'http://latchkey.test';
export const START = Date.UTC(2026, 0, 1, 12, 0, 0);

export interface Harness {
  app: App;
  clock: ManualClock;
  config: Readonly<Config>;
  database: TestDatabase;
  masterKey: string;
  logs: () => string;
  /** An environment (default settings unless given). */
  env(id?: string, settings?: { tokenTtlSeconds?: number; tokenReuseWindowSeconds?: number }): Promise<string>;
  integration(env: string, input?: { scopes?: string[]; preset?: string; name?: string }): Promise<IntegrationWithSecret>;
  /** POST /oauth/token with a JSON body. */
  token(body: Record<string, unknown>, headers?: Record<string, string>): Promise<TokenReply>;
  /** POST /oauth/token with a form body. */
  tokenForm(body: string | Record<string, string>, headers?: Record<string, string>): Promise<TokenReply>;
  /** A second app on the same database, as a second node would be. */
  secondNode(): Promise<App>;
  close(): Promise<void>;
}

export interface TokenReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Record<string, unknown>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  deps?: Partial<AppDeps>;
  database?: TestDatabase;
}

export async function createHarness(dialect: TestDialect, options: HarnessOptions = {}): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase(dialect));
  const masterKey = options.env?.LATCHKEY_MASTER_KEY ?? randomBytes(32).toString('base64');
  const config = loadConfig({
    PUBLIC_URL: ISSUER,
    LATCHKEY_DATA_DIR: database.dataDir,
    LATCHKEY_MASTER_KEY: masterKey,
    LOG_LEVEL: 'info',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ...options.env,
  });
  const clock = new ManualClock(START);
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  const deps: AppDeps = { clock, logStream, feed: { pollIntervalMs: 50 }, ...options.deps };
  const app = await buildApp(config, deps);
  await app.fastify.ready();
  const extra: App[] = [];

  const reply = (response: { statusCode: number; headers: TokenReply['headers']; body: string }): TokenReply => ({
    status: response.statusCode,
    headers: response.headers,
    body: response.body ? (JSON.parse(response.body) as Record<string, unknown>) : {},
  });

  return {
    app,
    clock,
    config,
    database,
    masterKey,
    logs: () => logText,
    async env(id = 'demo', settings = {}) {
      await app.context.environments.create({ id, displayName: id, ...settings });
      return id;
    },
    integration(env, input = {}) {
      return app.context.integrations.create(env, {
        name: input.name ?? 'CI',
        description: 'test integration',
        ...(input.scopes ? { scopes: input.scopes } : { preset: input.preset ?? 'all' }),
      });
    },
    async token(body, headers = {}) {
      return reply(
        await app.fastify.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) }),
      );
    },
    async tokenForm(body, headers = {}) {
      const payload = typeof body === 'string' ? body : new URLSearchParams(body).toString();
      return reply(
        await app.fastify.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload }),
      );
    },
    async secondNode() {
      const second = await buildApp(config, { ...deps, database: undefined, logStream: new PassThrough() });
      await second.fastify.ready();
      extra.push(second);
      return second;
    },
    async close() {
      for (const other of extra) await other.fastify.close();
      await app.fastify.close();
      if (!options.database) await database.drop();
    },
  };
}

/** Decodes a JWT's header and payload without verifying (verification tests use jose). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
  };
}
