import path from 'node:path';
import proxyAddr from '@fastify/proxy-addr';

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  /** PUBLIC_URL normalised once: the `iss` claim, the discovery `issuer`, the default audience. */
  issuer: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  redisUrl: string | null;
  dataDir: string;
  /** Base64 of 32 bytes, or null to use (or create) `<dataDir>/master.key` (SQLite only). */
  masterKey: string | null;
  trustProxy: string[];
  audience: string;
  /** Every audience this server issues tokens for: the default first. */
  audiences: string[];
  signingAlg: SigningAlg;
  corsOrigins: string[];
  /** Where media and font bytes live: the data dir, or the database (several nodes, no shared disk). */
  fileStore: 'disk' | 'database';
  /** The largest upload accepted (media, fonts), in bytes. */
  maxUploadBytes: number;
  logLevel: LogLevel;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Normalises a URL the way issuers are compared: jose and Auth0's verifier compare `iss` as an
 * exact string, so one spelling is chosen here (no trailing slash, no default port, lower-case host).
 */
export function normalizeUrl(raw: string): string {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be http(s)');
  if (url.search || url.hash) throw new Error('must not carry a query or fragment');
  if (url.username || url.password) throw new Error('must not carry credentials');
  // origin + path: a bare `?` or `#` leaves nothing behind, and the path loses trailing slashes.
  return `${url.origin}${trimTrailingSlashes(url.pathname)}`;
}

/** A loop, not /\/+$/: that regex backtracks quadratically on a long run of slashes. */
export function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 47) end--;
  return end === value.length ? value : value.slice(0, end);
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Reads and validates every setting at once; every problem is listed (SPEC §6). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const port = Number(read('PORT') ?? 8080);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) problems.push('PORT must be an integer from 0 to 65535');
  const host = read('HOST') ?? '127.0.0.1';

  const portOk = Number.isInteger(port) && port >= 0 && port <= 65535;
  let issuer = `http://localhost:${portOk ? port : 8080}`;
  const publicUrl = read('PUBLIC_URL');
  if (publicUrl) {
    try {
      issuer = normalizeUrl(publicUrl);
    } catch (error) {
      problems.push(`PUBLIC_URL ${(error as Error).message === 'Invalid URL' ? 'is not a URL' : (error as Error).message}`);
    }
  }

  const dataDir = path.resolve(read('LATCHKEY_DATA_DIR') ?? './data');
  const databaseUrl = read('DATABASE_URL');
  let database: Config['database'] = { kind: 'sqlite', file: path.join(dataDir, 'latchkey.db') };
  if (databaseUrl) {
    if (/^postgres(ql)?:\/\//.test(databaseUrl)) database = { kind: 'postgres', url: databaseUrl };
    else if (databaseUrl.startsWith('sqlite:')) database = { kind: 'sqlite', file: path.resolve(databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '')) };
    else problems.push('DATABASE_URL must start with postgres:// (or sqlite:<path>); leave it unset for the embedded SQLite file');
  }

  const masterKey = read('LATCHKEY_MASTER_KEY') ?? null;
  if (masterKey !== null && Buffer.from(masterKey, 'base64').length !== 32) {
    problems.push('LATCHKEY_MASTER_KEY must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)');
  }
  if (masterKey === null && database.kind === 'postgres') {
    problems.push('LATCHKEY_MASTER_KEY is required with PostgreSQL: every node must share it (generate one with `openssl rand -base64 32`)');
  }

  const redisUrl = read('REDIS_URL') ?? null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://');

  const audiences: string[] = [];
  for (const [name, values] of [
    ['LATCHKEY_AUDIENCE', read('LATCHKEY_AUDIENCE') ? [read('LATCHKEY_AUDIENCE')!] : [issuer]],
    ['LATCHKEY_EXTRA_AUDIENCES', list(read('LATCHKEY_EXTRA_AUDIENCES'))],
  ] as const) {
    for (const value of values) {
      try {
        const normalized = normalizeUrl(value);
        if (!audiences.includes(normalized)) audiences.push(normalized);
      } catch {
        problems.push(`${name}: "${value}" is not an http(s) URL without query or fragment`);
      }
    }
  }

  const signingAlg = (read('LATCHKEY_SIGNING_ALG') ?? 'RS256') as SigningAlg;
  if (!SIGNING_ALGS.includes(signingAlg)) problems.push(`LATCHKEY_SIGNING_ALG must be one of ${SIGNING_ALGS.join(', ')}`);

  const corsOrigins = list(read('LATCHKEY_CORS_ORIGINS'));
  for (const origin of corsOrigins) {
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(`LATCHKEY_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], no path)`);
    }
  }

  const trustProxy = list(read('TRUST_PROXY'));
  try {
    if (trustProxy.length) proxyAddr.compile(trustProxy);
  } catch (error) {
    problems.push(`TRUST_PROXY: ${(error as Error).message} (give addresses or CIDRs, comma-separated, or loopback/linklocal/uniquelocal)`);
  }

  const fileStore = (read('LATCHKEY_FILE_STORE') ?? 'disk') as Config['fileStore'];
  if (fileStore !== 'disk' && fileStore !== 'database') problems.push('LATCHKEY_FILE_STORE must be "disk" (the data dir) or "database"');
  const maxUploadRaw = read('LATCHKEY_MAX_UPLOAD_BYTES');
  const maxUploadBytes = maxUploadRaw === undefined ? DEFAULT_MAX_UPLOAD_BYTES : Number(maxUploadRaw);
  if (!/^\d+$/.test(maxUploadRaw ?? '0') || !Number.isSafeInteger(maxUploadBytes) || maxUploadBytes < 1024) {
    problems.push('LATCHKEY_MAX_UPLOAD_BYTES must be a whole number of bytes, at least 1024');
  }

  const logLevel = (read('LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    issuer,
    database,
    redisUrl,
    dataDir,
    masterKey,
    trustProxy,
    audience: audiences[0]!,
    audiences,
    signingAlg,
    corsOrigins,
    fileStore,
    maxUploadBytes,
    logLevel,
  });
}
