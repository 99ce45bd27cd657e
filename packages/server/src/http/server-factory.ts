import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isTokenRequest, TOKEN_BODY_LIMIT, type TokenEndpoint } from '../modules/tokens/token-endpoint.ts';
import type { FastPath } from './fast-paths/template-item.ts';

/**
 * The one request listener, for production and tests alike: the token endpoint answers before
 * Fastify's router (most traffic is reused tokens, and the router's per-request work would be
 * most of their cost, SPEC §7), then the fast paths (each answers only a success it is sure of);
 * everything else goes to Fastify.
 */
export function createRequestListener(
  fastify: () => RequestListener,
  tokenEndpoint: () => TokenEndpoint | null,
  fastPaths: () => readonly FastPath[] = () => [],
): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const endpoint = tokenEndpoint();
    if (endpoint && isTokenRequest(request.url)) return endpoint(request, response);
    for (const fastPath of fastPaths()) if (fastPath(request, response)) return;
    // Everything else may carry a long body (an upload): a connection silent for IDLE_TIMEOUT_MS
    // is closed. Set here, not on every socket, because an idle timer is refreshed on every read
    // and write, which the token endpoint's hot path would pay for.
    // (Injected requests have a socket without timers, hence the optional call.)
    if (!request.socket.timeout) request.socket.setTimeout?.(IDLE_TIMEOUT_MS);
    fastify()(request, response);
  };
}

export const REQUEST_TIMEOUT_MS = 15 * 60_000;
/** A connection with no bytes either way for this long is closed (a stalled body, an idle socket). */
export const IDLE_TIMEOUT_MS = 120_000;

/** More open connections than this are refused by the kernel's backlog, not held open by Node. */
export const MAX_CONNECTIONS = 10_000;

/** The HTTP server around the listener: timeouts, `Expect`, connection limits (unparseable requests: handleClientError). */
export function createHttpServer(listener: RequestListener, tokenEndpoint: () => TokenEndpoint | null): Server {
  // Node checks header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), which made a 20 s header timeout fire at 30–60 s: check every second.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, listener);
  // A client that half-closes after sending its request (FIN) still gets its answer, even a slow
  // one: by default Node aborts the request. `httpAllowHalfOpen` is Node's own switch for this
  // (read in _http_server's socketOnEnd), not in its type definitions.
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  // …but a client that half-closes in the middle of its request body will never finish it:
  // end that exchange at once, as Node would, instead of waiting for the request timeout.
  server.on('connection', (socket: Duplex) => {
    socket.on('end', () => {
      const request = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.req;
      if (request && !request.complete) socket.destroy();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  // Longer than common load balancers' idle timeouts (60 s), so they never reuse a socket this
  // side just closed; slow clients cannot hold a socket for long.
  server.keepAliveTimeout = 72_000;
  // `Expect: 100-continue` with a body over the token endpoint's limit: answer 413 instead of
  // inviting the client to upload it.
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const endpoint = tokenEndpoint();
    if (endpoint && isTokenRequest(request.url) && Number(request.headers['content-length'] ?? 0) > TOKEN_BODY_LIMIT) {
      return endpoint(request, response);
    }
    response.writeContinue();
    server.emit('request', request, response);
  });
  // `Expect` other than 100-continue (RFC 9110 §10.1.1): 417, without caching like every error.
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(417, { 'cache-control': 'no-store', pragma: 'no-cache', 'x-content-type-options': 'nosniff', connection: 'close', 'content-length': 0 });
    response.end();
  });
  server.headersTimeout = 20_000;
  // A whole request may take this long: a 100 MiB upload on a slow link needs minutes. The token
  // endpoint holds its bodies to 30 s itself (TOKEN_BODY_TIMEOUT_MS), and a body that stalls on
  // another route is cut by the idle timeout (createRequestListener).
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  return server;
}

/**
 * Requests Node cannot parse never reach a handler: they are answered here (Fastify's
 * `clientErrorHandler`, the one listener), without caching like every error. A pipelined
 * request that cannot be parsed waits for the answers before it (RFC 9112 §9.3.2), so the client
 * never takes this 400 for their answer; Node keeps the response being written as `_httpMessage`.
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  // Only an earlier, complete request is waited for: one whose own body broke is this request.
  if (inFlight && !inFlight.writableFinished && inFlight.req.complete) {
    const answer = () => refuseUnparseable(error, socket);
    inFlight.once('finish', answer);
    inFlight.once('close', answer);
    return;
  }
  refuseUnparseable(error, socket);
}

function refuseUnparseable(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nCache-Control: no-store\r\nPragma: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  // A lingering close (RFC 9112 §9.6): what the client is still sending is read and dropped for a
  // moment, so the kernel does not reset the connection and lose the answer, then the socket goes.
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 1_000).unref();
}
