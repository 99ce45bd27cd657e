// Builders for the management API's black-box tests: people, sign-in, and requests made with a
// session cookie (and its CSRF token) or a personal access token.
import type { PatAccess, PlatformRole } from '@latchkey/contract';
import type { Harness } from './harness.ts';

export const PASSWORD = 'correct horse battery staple';

/** How a request authenticates: a session (cookie + CSRF token), a personal access token, or nothing. */
export type Credential = { cookie: string; csrfToken: string; userId: string } | { pat: string; userId: string } | null;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any;
  raw: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Leave the CSRF token out of a cookie request. */
  noCsrf?: boolean;
  remoteAddress?: string;
}

/** A request to `/api/v1…` (or any path starting with `/`), authenticated as `as`. */
export async function call(h: Harness, as: Credential, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (as && 'pat' in as) headers.authorization = `Bearer ${as.pat}`;
  if (as && 'cookie' in as) {
    headers.cookie = as.cookie;
    if (!options.noCsrf) headers['x-csrf-token'] = as.csrfToken;
  }
  let payload: string | undefined;
  if (options.body !== undefined) {
    payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);
  const url = path.startsWith('/api') || path.startsWith('/docs') || path.startsWith('/oauth') ? path : `/api/v1${path}`;
  const response = await h.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  const type = String(response.headers['content-type'] ?? '');
  return { status: response.statusCode, headers: response.headers, body: type.includes('json') && response.body ? JSON.parse(response.body) : response.body, raw: response.body };
}

/** The `name=value` part of a Set-Cookie header. */
export function cookieOf(reply: Reply): string {
  const header = reply.headers['set-cookie'];
  const first = Array.isArray(header) ? (header[0] ?? '') : String(header ?? '');
  return first.split(';')[0]!;
}

export async function createUser(h: Harness, email: string, platformRole: PlatformRole = 'member', password = PASSWORD): Promise<string> {
  return (await h.app.services.management.users.create({ email, password, platformRole })).id;
}

/** Signs in over HTTP; throws unless it worked. */
export async function signIn(h: Harness, email: string, password = PASSWORD, options: { cookie?: string; remoteAddress?: string } = {}) {
  const reply = await call(h, null, 'POST', '/session', {
    body: { email, password },
    ...(options.cookie ? { headers: { cookie: options.cookie } } : {}),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
  if (reply.status !== 200) throw new Error(`sign-in failed: ${reply.status} ${reply.raw}`);
  return { cookie: cookieOf(reply), csrfToken: reply.body.csrfToken as string, userId: reply.body.user.id as string, reply };
}

/** A personal access token of `userId`, made through the service (tests of PATs over HTTP make their own). */
export async function createPat(h: Harness, userId: string, access: PatAccess, name = `${access} token`): Promise<{ pat: string; userId: string; id: string }> {
  const actor = { type: 'user' as const, id: userId };
  const created = await h.app.services.management.pats.create(userId, { name, access }, actor);
  return { pat: created.token, userId, id: created.id };
}
