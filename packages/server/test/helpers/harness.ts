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
  /** Any request, through the production request listener. */
  inject: App['inject'];
  /** An access token of a new integration of `env` (default: every scope). */
  apiToken(env: string, input?: { scopes?: string[]; preset?: string; name?: string }): Promise<string>;
  /** A request to the Environment API of `env`: `path` is relative to `…/environment/{env}/`. */
  api(env: string, method: string, path: string, options?: ApiOptions): Promise<ApiReply>;
  /** A second app on the same database, as a second node would be. */
  secondNode(): Promise<App>;
  close(): Promise<void>;
}

export interface TokenReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Record<string, unknown>;
}

export interface ApiOptions {
  token?: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string or Buffer. */
  body?: unknown;
}

export interface ApiReply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Parsed JSON when the body is JSON, else the text. */
  body: any;
  raw: string;
}

export const API_PREFIX = '/grafx/api/v1/environment';

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

  const harness: Harness = {
    app,
    clock,
    config,
    database,
    masterKey,
    logs: () => logText,
    async env(id = 'demo', settings = {}) {
      await app.services.environments.create({ id, displayName: id, ...settings });
      return id;
    },
    integration(env, input = {}) {
      return app.services.integrations.create(env, {
        name: input.name ?? 'CI',
        description: 'test integration',
        ...(input.scopes ? { scopes: input.scopes } : { preset: input.preset ?? 'all' }),
      });
    },
    async token(body, headers = {}) {
      return reply(
        await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) }),
      );
    },
    async tokenForm(body, headers = {}) {
      const payload = typeof body === 'string' ? body : new URLSearchParams(body).toString();
      return reply(
        await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload }),
      );
    },
    inject: (options) => app.inject(options),
    async apiToken(env, input = {}) {
      const integration = await harness.integration(env, input);
      const reply = await harness.token({ grant_type: 'client_credentials', client_id: integration.clientId, client_secret: integration.clientSecret });
      if (reply.status !== 200) throw new Error(`token request failed: ${JSON.stringify(reply.body)}`);
      return reply.body.access_token as string;
    },
    async api(env, method, path, options = {}) {
      const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
      let payload: string | Buffer | undefined;
      if (options.body !== undefined) {
        if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) payload = options.body;
        else {
          payload = JSON.stringify(options.body);
          headers['content-type'] ??= 'application/json';
        }
      }
      const response = await app.inject({ method: method as 'GET', url: `${API_PREFIX}/${env}/${path}`, headers, ...(payload !== undefined ? { payload } : {}) });
      const type = String(response.headers['content-type'] ?? '');
      return {
        status: response.statusCode,
        headers: response.headers,
        body: type.includes('json') && response.body ? JSON.parse(response.body) : response.body,
        raw: response.body,
      };
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
  return harness;
}

/** Decodes a JWT's header and payload without verifying (verification tests use jose). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString()),
  };
}
