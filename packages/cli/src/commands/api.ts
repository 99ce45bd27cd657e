import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ClientCredentials, createAuthFetch } from '@latchkey/sdk';
import { parse, requireString } from '../args.ts';
import { UsageError } from '../output.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const API_PREFIX = '/grafx/api/v1/environment';

/** The `environment` claim of an access token (read, not verified: the server verifies it). */
function environmentOf(token: string): string {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { environment?: unknown };
    if (typeof claims.environment === 'string') return claims.environment;
  } catch {
    // fall through
  }
  throw new Error('the access token names no environment: is LATCHKEY_URL a Latchkey server?');
}

/**
 * `latchkey api METHOD PATH`: calls the Environment API with a token from client credentials
 * (LATCHKEY_URL, LATCHKEY_CLIENT_ID, LATCHKEY_CLIENT_SECRET), through the SDK, so the token is
 * cached, refreshed and retried once after a 401 as the SDK does. PATH is relative to the token's
 * environment (`templates?limit=5`) or absolute (`/grafx/api/v1/environment/demo/templates`).
 * `--data` sends JSON (or `@file`), `--file` sends a multipart `file` (media, fonts).
 */
export async function apiCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    url: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    audience: { type: 'string' },
    scope: { type: 'string' },
    data: { type: 'string' },
    file: { type: 'string', multiple: true },
  });
  const [methodArg, path] = positionals;
  const method = requireString(methodArg, 'METHOD (GET, POST, PUT, PATCH, DELETE)').toUpperCase();
  if (!METHODS.has(method)) throw new UsageError(`unknown method "${methodArg}": use GET, HEAD, POST, PUT, PATCH or DELETE`);
  requireString(path, 'PATH (e.g. templates or media?limit=10)');
  if (values.data !== undefined && values.file !== undefined) throw new UsageError('give --data or --file, not both');

  const url = (values.url ?? process.env.LATCHKEY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const credentials = new ClientCredentials({
    tokenUrl: `${url}/oauth/token`,
    clientId: requireString(values['client-id'] ?? process.env.LATCHKEY_CLIENT_ID, '--client-id or LATCHKEY_CLIENT_ID'),
    clientSecret: requireString(values['client-secret'] ?? process.env.LATCHKEY_CLIENT_SECRET, '--client-secret or LATCHKEY_CLIENT_SECRET'),
    ...(values.audience ? { audience: values.audience } : {}),
    ...(values.scope ? { scope: values.scope } : {}),
  });
  const target = path!.startsWith('/') ? `${url}${path}` : `${url}${API_PREFIX}/${environmentOf(await credentials.getToken())}/${path}`;

  let body: string | FormData | undefined;
  const headers: Record<string, string> = { accept: 'application/json, */*' };
  if (values.data !== undefined) {
    body = values.data.startsWith('@') ? readFileSync(values.data.slice(1), 'utf8') : values.data;
    headers['content-type'] = 'application/json';
  } else if (values.file !== undefined) {
    const form = new FormData();
    for (const file of values.file) form.append('file', new Blob([readFileSync(file)]), basename(file));
    body = form;
  }

  const authFetch = createAuthFetch(credentials);
  const response = await authFetch(target, { method, headers, ...(body !== undefined ? { body } : {}) });
  const type = response.headers.get('content-type') ?? '';
  const bytes = Buffer.from(await response.arrayBuffer());
  const out = response.ok ? process.stdout : process.stderr;
  if (/json/.test(type) && bytes.length > 0) {
    let text = bytes.toString('utf8');
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // Not JSON after all: print it as it came.
    }
    out.write(`${text}\n`);
  } else if (bytes.length > 0) {
    out.write(bytes);
  }
  if (!response.ok) {
    const challenge = response.headers.get('www-authenticate');
    process.stderr.write(`latchkey: ${method} ${target} answered ${response.status}${challenge ? ` (${challenge})` : ''}\n`);
    process.exitCode = 1;
  }
}
