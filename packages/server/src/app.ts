import { createServer } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createContext, type Context, type ContextDeps } from './context.ts';
import { AppError } from './errors.ts';
import { loggerOptions } from './infra/logger.ts';
import { discoveryRoutes } from './modules/discovery/discovery.routes.ts';
import { LastUsedRecorder } from './modules/integrations/last-used.ts';
import { ClientRegistry } from './modules/tokens/client-registry.ts';
import { TokenIssuer } from './modules/tokens/token-issuer.ts';
import { createTokenEndpoint, isTokenRequest, TOKEN_BODY_LIMIT } from './modules/tokens/token-endpoint.ts';
import { tokenRoutes } from './modules/tokens/token.routes.ts';
import { TokenService, type TokenServiceOptions } from './modules/tokens/token.service.ts';

export interface AppDeps extends ContextDeps {
  /** Where logs go (tests capture them to prove secrets never appear). */
  logStream?: NodeJS.WritableStream;
  limits?: TokenServiceOptions['limits'];
  lastUsedFlushMs?: number;
}

export interface App {
  fastify: FastifyInstance;
  context: Context;
}

/**
 * Wires repositories → services → route plugins. Never listens: `server.ts` does, tests inject.
 * Closing the Fastify instance stops background work and closes what this function opened.
 */
export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<App> {
  const context = await createContext(config, { adoptSigningAlg: true, ...deps });
  const { clock, feed, keyring, database, signingKeys } = context;

  const lastUsed = new LastUsedRecorder(database.db, deps.lastUsedFlushMs);
  const registry = new ClientRegistry(database.db, feed);
  const issuer = new TokenIssuer(database.db, keyring, clock, signingKeys, feed, config.issuer);
  const tokenService = new TokenService(registry, keyring, clock, lastUsed, {
    audiences: config.audiences,
    ...(deps.limits ? { limits: deps.limits } : {}),
  });
  feed.onChange((change) => {
    if (change.kind === 'keys') signingKeys.markDirty();
  });

  let tokenEndpoint: ReturnType<typeof createTokenEndpoint> | null = null;
  const fastify = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    // The token endpoint answers before Fastify's router: most traffic is reused tokens, and the
    // router's per-request work would be most of their cost (SPEC §7). Fastify's own route for
    // the same path runs the same handler, which is what `inject()` exercises.
    serverFactory: (handler) => {
      const server = createServer((request, response) =>
        tokenEndpoint && isTokenRequest(request.url) ? tokenEndpoint(request, response) : handler(request, response),
      );
      // Longer than common load balancers' idle timeouts (60 s), so they never reuse a socket
      // this side just closed; slow clients cannot hold a socket for long.
      server.keepAliveTimeout = 72_000;
      // `Expect: 100-continue` with a body over the token endpoint's limit: answer 413 instead of
      // inviting the client to upload it.
      server.on('checkContinue', (request, response) => {
        if (tokenEndpoint && isTokenRequest(request.url) && Number(request.headers['content-length'] ?? 0) > TOKEN_BODY_LIMIT) {
          return tokenEndpoint(request, response);
        }
        response.writeContinue();
        server.emit('request', request, response);
      });
      // Requests Node cannot parse never reach a handler: answer them without caching too.
      server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
        if (!socket.writable) return socket.destroy();
        const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nCache-Control: no-store\r\nPragma: no-cache\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      });
      server.headersTimeout = 20_000;
      server.requestTimeout = 30_000;
      return server;
    },
    // No per-request log lines: the token endpoint's hot path must not pay for them (SPEC §7).
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (pino children with redaction cost on every request); the
    // few lines we log carry what they need.
    childLoggerFactory: (logger) => logger,
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
  });

  fastify.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.status).headers(error.headers).send({ error: error.code, message: error.description, ...(error.details ? { details: error.details } : {}) });
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'validation_failed', message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'server_error', message: 'The server could not complete the request.' });
  });
  fastify.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  tokenEndpoint = createTokenEndpoint({ service: tokenService, issuer, clock, log: fastify.log, trustProxy: config.trustProxy });
  await fastify.register(tokenRoutes, { endpoint: tokenEndpoint });
  await fastify.register(discoveryRoutes, { issuer: config.issuer, keys: signingKeys });

  fastify.addHook('onReady', async () => {
    await feed.start();
    lastUsed.start();
    issuer.startSweeping();
  });
  fastify.addHook('onClose', async () => {
    issuer.stop();
    await lastUsed.stop();
    await context.close();
  });
  return { fastify, context };
}
