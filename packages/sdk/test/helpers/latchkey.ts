// A real `latchkey serve` process on a fresh SQLite database, with an environment and
// integrations created through the CLI exactly as scripts do (SPEC §5), plus small fetch doubles
// for what a real server cannot be made to do on cue (503, 429, dropped connections).
import { createTestDatabase, dialects, type TestDatabase } from '../../../server/test/helpers/database.ts';
import { cliJson, processEnv, startServer, type RunningServer } from '../../../server/test/helpers/processes.ts';
import type { FetchLike } from '../../src/index.ts';

export interface IntegrationCredentials {
  id: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

export interface Latchkey {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The discovery document's issuer (here the same as `url`). */
  issuer: string;
  tokenUrl: string;
  environment: string;
  /** An integration with every scope. */
  all: IntegrationCredentials;
  /** Runs `latchkey …ARGS --json` against the server's database. */
  cli<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** A new integration of the environment (`--preset all` unless scopes are given). */
  integration(name: string, scopes?: string): Promise<IntegrationCredentials>;
  stop(): Promise<void>;
}

export async function startLatchkey(): Promise<Latchkey> {
  const database: TestDatabase = await createTestDatabase(dialects()[0] ?? 'sqlite');
  const env = processEnv(database);
  let server: RunningServer | undefined;
  try {
    const cli = <T,>(...args: string[]) => cliJson<T>([...args, '--json'], env);
    await cli('env', 'create', 'demo', '--display-name', 'Demo');
    const integration = (name: string, scopes?: string) =>
      cli<IntegrationCredentials>('integrations', 'create', '--env', 'demo', '--name', name, ...(scopes ? ['--scopes', scopes] : ['--preset', 'all']));
    const all = await integration('sdk tests');
    // PUBLIC_URL=auto: the issuer is the process's own address, so discovery works from it.
    server = await startServer({ ...env, PUBLIC_URL: 'auto' });
    const running = server;
    return {
      url: running.url,
      issuer: running.issuer,
      tokenUrl: `${running.url}/oauth/token`,
      environment: 'demo',
      all,
      cli,
      integration,
      async stop() {
        await running.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await server?.stop();
    await database.drop();
    throw error;
  }
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string | undefined;
}

/** A fetch that records every request it passes on (to count token requests, read headers). */
export function recordingFetch(inner: FetchLike = (input, init) => fetch(input, init)): FetchLike & { requests: RecordedRequest[]; to(path: string): RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    requests.push({
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      url,
      headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return inner(input, init);
  };
  return Object.assign(wrapped, {
    requests,
    to: (path: string) => requests.filter((request) => new URL(request.url).pathname === path),
  });
}

/** Answers with `replies` for the first calls (a Response, or an Error to throw), then calls through. */
export function failingFirst(replies: Array<() => Response | Error>, inner: FetchLike = (input, init) => fetch(input, init)): FetchLike {
  let call = 0;
  return async (input, init) => {
    const reply = replies[call++];
    if (!reply) return inner(input, init);
    const result = reply();
    if (result instanceof Error) throw result;
    return result;
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12)): { now: () => number; advance(ms: number): void; set(ms: number): void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms), set: (ms) => void (current = ms) };
}

/** A sleep that records the delays asked for and returns at once. */
export function recordingSleep(): ((ms: number) => Promise<void>) & { delays: number[] } {
  const delays: number[] = [];
  return Object.assign(async (ms: number) => void delays.push(ms), { delays });
}

/** The payload of a JWT (unverified: tests only read what the server put there). */
export function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

/** A valid 1×1 PNG. */
export const PNG_1X1: Uint8Array<ArrayBuffer> = new Uint8Array(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
);

/**
 * The smallest TrueType file that names itself: an sfnt (version 0x00010000) with one `name`
 * table holding the family (name ID 1) and the style (name ID 2), in Windows Unicode (UTF-16BE)
 * as fonts carry them. Enough for a server that sniffs the format and reads the names.
 */
export function minimalTrueType(family: string, style: string): Uint8Array<ArrayBuffer> {
  const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
  const strings = [utf16be(family), utf16be(style)];
  const header = Buffer.alloc(6 + 12 * strings.length);
  header.writeUInt16BE(0, 0); // format 0
  header.writeUInt16BE(strings.length, 2);
  header.writeUInt16BE(header.length, 4); // string storage offset
  let offset = 0;
  strings.forEach((bytes, i) => {
    const at = 6 + 12 * i;
    header.writeUInt16BE(3, at); // platform: Windows
    header.writeUInt16BE(1, at + 2); // encoding: Unicode BMP
    header.writeUInt16BE(0x409, at + 4); // language: en-US
    header.writeUInt16BE(i + 1, at + 6); // name ID 1 (family), 2 (subfamily)
    header.writeUInt16BE(bytes.length, at + 8);
    header.writeUInt16BE(offset, at + 10);
    offset += bytes.length;
  });
  const name = Buffer.concat([header, ...strings]);
  const padded = Buffer.concat([name, Buffer.alloc((4 - (name.length % 4)) % 4)]);
  let checksum = 0;
  for (let i = 0; i < padded.length; i += 4) checksum = (checksum + padded.readUInt32BE(i)) >>> 0;
  const directory = Buffer.alloc(12 + 16);
  directory.writeUInt32BE(0x00010000, 0); // TrueType
  directory.writeUInt16BE(1, 4); // numTables
  directory.writeUInt16BE(16, 6); // searchRange
  directory.writeUInt16BE(0, 8); // entrySelector
  directory.writeUInt16BE(0, 10); // rangeShift
  directory.write('name', 12, 'latin1');
  directory.writeUInt32BE(checksum, 16);
  directory.writeUInt32BE(directory.length, 20);
  directory.writeUInt32BE(name.length, 24);
  return new Uint8Array(Buffer.concat([directory, padded]));
}
