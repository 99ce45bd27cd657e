import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../errors.ts';
import { reportError } from '../../http/errors/report.ts';
import { writeOAuthError } from '../../http/errors/render-oauth-error.ts';
import type { DatabaseHealth } from '../../infra/database-health.ts';
import type { Clock } from '../../infra/clock.ts';
import type { TokenEvents } from '../audit/token-events.ts';
import { refusalReason, type ClientAuthentication } from '../oauth/client-authentication.ts';
import { readClientCredentials, type ClientCredentials } from './client-auth.ts';
import type { ClientRecord } from './client-registry.ts';
import type { IssuedToken, TokenIssuer } from './token-issuer.ts';
import { parseTokenBody, refuseQueryCredentials, type TokenParams } from './token-request.ts';
import type { TokenService } from './token.service.ts';

export const TOKEN_PATH = '/oauth/token';
export const TOKEN_BODY_LIMIT = 16 * 1024;
const MAX_PARSED_CONTENT_TYPES = 16;
const MAX_PARSED_BODIES = 10_000;
const MAX_PARSED_BODY_LENGTH = 1024;
/** Starts over at most this often when the integration keeps changing under a request. */
const MAX_ATTEMPTS = 3;

export interface TokenEndpointDeps {
  auth: ClientAuthentication;
  service: TokenService;
  issuer: TokenIssuer;
  clock: Clock;
  log: FastifyBaseLogger;
  health: DatabaseHealth;
  /** Mints, reuses and refusals: counted in memory, written in batches (activity, audit). */
  events: TokenEvents;
  /** Proxies whose X-Forwarded-For is believed (TRUST_PROXY); empty: the socket's address. */
  trustProxy: readonly string[];
}

export type TokenEndpoint = (request: IncomingMessage, response: ServerResponse) => void;

/** True for a request the token endpoint answers (any method: others get 405). */
export function isTokenRequest(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(TOKEN_PATH) && (url.length === TOKEN_PATH.length || url[TOKEN_PATH.length] === '?');
}

/**
 * A token request's body must arrive within this long (the server's own request timeout is
 * longer: uploads elsewhere need it). One sweep a second looks at the bodies still arriving, so
 * the hot path adds a Map insertion and deletion, not a timer or a closure per request.
 */
export const TOKEN_BODY_TIMEOUT_MS = 30_000;

/** How long a body still arriving after an early answer is read (and discarded) before the socket goes. */
const LINGER_MS = 1_000;

/**
 * An early answer (405, 413) while the body is still arriving: the body is read and thrown away
 * for a moment, then the socket is closed. Closing at once would make the kernel reset the
 * connection and the client would often lose the answer; reading on would let an endless body
 * hold the socket.
 */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  response.once('finish', () => {
    if (!request.complete) setTimeout(() => request.destroy(), LINGER_MS).unref();
  });
}

/** RFC 6749 §4.4.2: this server speaks only the client credentials grant. */
function checkGrant(params: TokenParams): void {
  if (params.grant_type === undefined) throw new AppError('invalid_request', 'The grant_type parameter is required.');
  if (params.grant_type !== 'client_credentials') {
    throw new AppError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  }
}

/**
 * `POST /oauth/token` as a plain node:http handler, a short pipeline of named steps:
 * no-store → read body → parse → authenticate client → check grant → resolve audience and scope →
 * reuse or mint. The server calls it before Fastify's router (the reused-token hot path is most
 * of the traffic, SPEC §7); the Fastify route delegates to it too, so `inject()` tests run the
 * very same code.
 */
export function createTokenEndpoint({ auth, service, issuer, clock, log, health, events, trustProxy }: TokenEndpointDeps): TokenEndpoint {
  const trusted = trustProxy.length > 0 ? proxyAddr.compile([...trustProxy]) : null;
  // A socket already closed has no address: '' (then one shared throttle bucket), never a throw.
  const addressOf = (request: IncomingMessage) => (trusted ? proxyAddr(request, trusted) : request.socket.remoteAddress) ?? '';

  function fail(response: ServerResponse, error: unknown): void {
    writeOAuthError(response, reportError(error, log, health));
  }

  /** Token requests whose body is still arriving, by when they started (see TOKEN_BODY_TIMEOUT_MS). */
  const bodiesInFlight = new Map<ServerResponse, number>();
  setInterval(() => {
    const now = Date.now();
    for (const [response, startedAt] of bodiesInFlight) {
      if (now - startedAt < TOKEN_BODY_TIMEOUT_MS) continue;
      bodiesInFlight.delete(response);
      closeAfterAnswer(response.req, response);
      fail(response, new AppError('invalid_request', `The request body did not arrive within ${TOKEN_BODY_TIMEOUT_MS / 1000} s.`, { status: 408 }));
    }
  }, 1_000).unref();

  function succeed(response: ServerResponse, client: ClientRecord, token: IssuedToken): void {
    const now = clock.now();
    if (token.fresh) {
      token.fresh = false;
      events.minted(client.environmentId, client.integrationId, client.clientId, token.scope, now);
    } else {
      events.reused(client.environmentId, client.integrationId, now);
    }
    const body = token.responseBody(now);
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
      pragma: 'no-cache',
    });
    response.end(body);
  }

  /** Only a refused client counts toward throttling, not a database that failed to answer. */
  function refuse(response: ServerResponse, credentials: ClientCredentials, address: string, error: unknown): void {
    if (error instanceof AppError && error.code === 'invalid_client') {
      auth.recordFailure(address, credentials.clientId);
      events.refused(credentials.clientId || null, refusalReason(error) ?? 'wrong_secret', address);
    }
    fail(response, error);
  }

  /**
   * Authenticate → check grant → resolve audience and scope → reuse or mint. Plain functions, no
   * closures, on the way of a reused token: it is most of the traffic.
   */
  function attempt(response: ServerResponse, params: TokenParams, credentials: ClientCredentials, address: string, tries: number): void {
    let found: ClientRecord | Promise<ClientRecord>;
    try {
      found = auth.authenticate(credentials);
    } catch (error) {
      return refuse(response, credentials, address, error);
    }
    if (!(found instanceof Promise)) return proceed(response, params, credentials, address, found, tries);
    found.then(
      (client) => proceed(response, params, credentials, address, client, tries),
      (error: unknown) => refuse(response, credentials, address, error),
    );
  }

  function proceed(response: ServerResponse, params: TokenParams, credentials: ClientCredentials, address: string, client: ClientRecord, tries: number): void {
    try {
      checkGrant(params);
      const audience = service.resolveAudience(params);
      const scopes = service.resolveScopes(client, params.scope);
      const scope = scopes === client.scopes ? client.scope : scopes.join(' ');
      const reused = issuer.reusable(client, audience, scope);
      if (reused) return settle(response, params, credentials, address, client, tries, reused, null);
      issuer.issue(client, audience, scope).then(
        (token) => settle(response, params, credentials, address, client, tries, token, null),
        (error: unknown) => settle(response, params, credentials, address, client, tries, null, error),
      );
    } catch (error) {
      fail(response, error);
    }
  }

  /**
   * When the integration changed while this request ran (its record was invalidated), the request
   * starts over from the new state: a disable or a removed scope is never outrun by a mint under way.
   */
  function settle(
    response: ServerResponse,
    params: TokenParams,
    credentials: ClientCredentials,
    address: string,
    client: ClientRecord,
    tries: number,
    token: IssuedToken | null,
    error: unknown,
  ): void {
    if (client.invalidated && tries < MAX_ATTEMPTS) return attempt(response, params, credentials, address, tries + 1);
    if (token) succeed(response, client, token);
    else fail(response, error);
  }

  /**
   * Bodies already parsed, by content type then body: a busy client sends the same bytes again and
   * again, and parsing them (JSON.parse, the repeated-key check) was the largest cost of a reused
   * token after the socket write. Only bodies that parsed are kept, frozen, and the map is bounded.
   */
  const parsed = new Map<string, Map<string, Readonly<TokenParams>>>();
  function paramsOf(contentType: string | undefined, body: string): Readonly<TokenParams> {
    const key = contentType ?? '';
    let byBody = parsed.get(key);
    const known = byBody?.get(body);
    if (known !== undefined) return known;
    const params = parseTokenBody(contentType, body);
    // Bounded in bytes too: only bodies of a usual size (a token request is ~200 bytes).
    if (body.length > MAX_PARSED_BODY_LENGTH) return params;
    Object.freeze(params.resource);
    if (!byBody) {
      if (parsed.size >= MAX_PARSED_CONTENT_TYPES) parsed.clear();
      parsed.set(key, (byBody = new Map()));
    }
    if (byBody.size >= MAX_PARSED_BODIES) byBody.clear();
    byBody.set(body, Object.freeze(params));
    return params;
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
    refuseQueryCredentials(request.url ?? '');
    const params = paramsOf(request.headers['content-type'], body);
    const credentials: ClientCredentials = readClientCredentials(request.headers.authorization, params);
    const address = addressOf(request);
    try {
      auth.checkThrottle(address, credentials.clientId);
    } catch (error) {
      events.refused(credentials.clientId || null, 'throttled', address);
      throw error;
    }
    attempt(response, params, credentials, address, 1);
  }

  return function tokenEndpoint(request, response) {
    if (request.method !== 'POST') {
      // Answer at once and close: a body that never ends must not hold the socket (draining it
      // would wait for the request timeout).
      closeAfterAnswer(request, response);
      return fail(response, new AppError('invalid_request', 'The token endpoint accepts POST only.', { status: 405, headers: { allow: 'POST' } }));
    }
    const tooLarge = () => new AppError('invalid_request', `The request body exceeds ${TOKEN_BODY_LIMIT} bytes.`, { status: 413 });
    if (Number(request.headers['content-length'] ?? 0) > TOKEN_BODY_LIMIT) {
      closeAfterAnswer(request, response);
      return fail(response, tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    bodiesInFlight.set(response, Date.now());
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > TOKEN_BODY_LIMIT) {
        refused = true;
        bodiesInFlight.delete(response);
        closeAfterAnswer(request, response);
        return fail(response, tooLarge());
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      bodiesInFlight.delete(response);
      response.destroy();
    });
    request.on('end', () => {
      // Gone from the map: refused already (too large, or too slow and answered 408 by the sweep).
      if (!bodiesInFlight.delete(response) || refused) return;
      try {
        handle(request, response, chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        fail(response, error);
      }
    });
  };
}
