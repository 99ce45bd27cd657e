import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { isTokenRequest, TOKEN_BODY_LIMIT, type TokenEndpoint } from '../modules/tokens/token-endpoint.ts';

/**
 * The one request listener, for production and tests alike: the token endpoint answers before
 * Fastify's router (most traffic is reused tokens, and the router's per-request work would be
 * most of their cost, SPEC §7); everything else goes to Fastify.
 */
export function createRequestListener(fastify: () => RequestListener, tokenEndpoint: () => TokenEndpoint | null): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const endpoint = tokenEndpoint();
    if (endpoint && isTokenRequest(request.url)) return endpoint(request, response);
    fastify()(request, response);
  };
}

/** The HTTP server around the listener: timeouts, `Expect: 100-continue`, unparseable requests. */
/** More open connections than this are refused by the kernel's backlog, not held open by Node. */
export const MAX_CONNECTIONS = 10_000;

export function createHttpServer(listener: RequestListener, tokenEndpoint: () => TokenEndpoint | null): Server {
  // Node checks header and request timeouts only every connectionsCheckingInterval (30 s by
  // default), which made a 20 s header timeout fire at 30–60 s: check every second.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, listener);
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
  // Requests Node cannot parse never reach a handler: answer them without caching too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nCache-Control: no-store\r\nPragma: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  return server;
}
