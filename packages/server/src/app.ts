import type { RequestListener } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import inject, { type InjectOptions, type Response as InjectResponse } from 'light-my-request';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { reportError } from './http/errors/report.ts';
import { sendProblem } from './http/errors/render-problem.ts';
import { createTemplateItemFastPath } from './http/fast-paths/template-item.ts';
import { createHttpServer, createRequestListener, handleClientError } from './http/server-factory.ts';
import { ENVIRONMENT_API_PREFIX, environmentApiSurface } from './http/surfaces/environment-api.ts';
import { consoleSurface } from './http/surfaces/console.ts';
import { managementApiSurface } from './http/surfaces/management-api.ts';
import { oauthSurface } from './http/surfaces/oauth.ts';
import { loggerOptions } from './infra/logger.ts';
import { createTokenEndpoint, type TokenEndpoint } from './modules/tokens/token-endpoint.ts';
import { createServices, type Services, type ServicesDeps } from './services.ts';

export interface AppDeps extends ServicesDeps {
  /** Where logs go (tests capture them to prove secrets never appear). */
  logStream?: NodeJS.WritableStream;
}

export interface App {
  fastify: FastifyInstance;
  services: Services;
  /** A request through the production request listener (token fast path included), not listening. */
  inject(options: InjectOptions | string): Promise<InjectResponse>;
}

/**
 * Wires services → surfaces. Never listens: `server.ts` does, tests inject. Closing the Fastify
 * instance stops background work and closes what this function opened.
 */
export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<App> {
  const services = await createServices(config, { adoptSigningAlg: true, ...deps });

  let tokenEndpoint: TokenEndpoint | null = null;
  let fastifyHandler: RequestListener | null = null;
  const fastPaths = [createTemplateItemFastPath(services, () => fastifyHandler!)];
  const listener = createRequestListener(
    () => fastifyHandler!,
    () => tokenEndpoint,
    () => fastPaths,
  );
  const fastify = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    serverFactory: (handler) => {
      fastifyHandler = handler as RequestListener;
      return createHttpServer(listener, () => tokenEndpoint);
    },
    // No per-request log lines: the token endpoint's hot path must not pay for them (SPEC §7).
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (pino children with redaction cost on every request); the
    // few lines we log carry what they need.
    childLoggerFactory: (logger) => logger,
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    // Fastify's own early errors (an undecodable URL such as /%ff%fe) in the problem shape,
    // never cached, like every other error.
    frameworkErrors: (error, _request, reply) => sendProblem(reply, error),
    clientErrorHandler: handleClientError,
  });

  // Outside every surface (unknown paths, and anything a surface does not catch): the problem shape.
  fastify.setErrorHandler((error, request, reply) => {
    return sendProblem(reply, reportError(error, request.log, services.health));
  });
  fastify.setNotFoundHandler((request, reply) => sendProblem(reply, new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`)));

  tokenEndpoint = createTokenEndpoint({
    auth: services.clientAuthentication,
    service: services.tokenService,
    issuer: services.issuer,
    clock: services.clock,
    log: fastify.log,
    health: services.health,
    events: services.management.tokenEvents,
    trustProxy: config.trustProxy,
  });
  await fastify.register(oauthSurface, { services, tokenEndpoint });
  await fastify.register(environmentApiSurface, { prefix: ENVIRONMENT_API_PREFIX, services });
  await fastify.register(managementApiSurface, { services });
  await fastify.register(consoleSurface, { services });

  services.health.onTransition((event) => {
    if (event.state === 'down') fastify.log.error({ error: event.error }, 'database unavailable: answering 503 until it is back');
    else fastify.log.warn({ downForMs: event.downForMs, refused: event.refused }, 'database available again');
  });
  fastify.addHook('onReady', () => services.start());
  fastify.addHook('onClose', () => services.close());
  return {
    fastify,
    services,
    async inject(options) {
      await fastify.ready();
      return inject(listener, options);
    },
  };
}
