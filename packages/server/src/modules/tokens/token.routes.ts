import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isOAuthCode } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { readClientCredentials } from './client-auth.ts';
import type { TokenIssuer } from './token-issuer.ts';
import { parseTokenBody, refuseQueryCredentials, type TokenParams } from './token-request.ts';
import type { TokenService } from './token.service.ts';

export const TOKEN_BODY_LIMIT = 16 * 1024;

export interface TokenRoutesDeps {
  service: TokenService;
  issuer: TokenIssuer;
  clock: Clock;
}

/** RFC 6749 §5.1: responses carrying tokens (and, here, errors too) must not be cached. */
function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** RFC 6749 §4.4.2: this server speaks only the client credentials grant. */
function checkGrant(params: TokenParams): void {
  if (params.grant_type === undefined) throw new AppError('invalid_request', 'The grant_type parameter is required.');
  if (params.grant_type !== 'client_credentials') {
    throw new AppError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  }
}

/**
 * `POST /oauth/token`, a short pipeline of named steps:
 * no-store → parse body → authenticate client → check grant → resolve audience and scope → reuse or mint.
 */
export async function tokenRoutes(app: FastifyInstance, { service, issuer, clock }: TokenRoutesDeps): Promise<void> {
  // The raw body is parsed here, not by Fastify's parsers: RFC 6749 §3.2 rules (repeated and
  // empty parameters) need the whole body, and any other media type is `invalid_request`.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    noStore(reply);
    const appError = toOAuthError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'token endpoint failed');
    reply.code(appError.status).headers(appError.headers).send({
      error: isOAuthCode(appError.code) ? appError.code : 'invalid_request',
      error_description: appError.description,
    });
  });

  app.post('/oauth/token', { bodyLimit: TOKEN_BODY_LIMIT }, async (request: FastifyRequest, reply: FastifyReply) => {
    noStore(reply);
    refuseQueryCredentials(request.url);
    const params = parseTokenBody(request.headers['content-type'], typeof request.body === 'string' ? request.body : '');
    const credentials = readClientCredentials(request.headers.authorization, params);
    service.checkThrottle(request.ip, credentials.clientId);
    let client;
    try {
      client = await service.authenticate(credentials);
    } catch (error) {
      service.recordFailure(request.ip, credentials.clientId);
      throw error;
    }
    checkGrant(params);
    const audience = service.resolveAudience(params);
    const scopes = service.resolveScopes(client, params.scope);
    const scope = scopes.join(' ');
    const token = issuer.reusable(client, audience, scope) ?? (await issuer.issue(client, audience, scopes));
    reply.header('content-type', 'application/json; charset=utf-8');
    return reply.send(token.responseBody(clock.now()));
  });

  app.route({
    method: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/oauth/token',
    handler: async (_request, reply) => {
      reply.header('allow', 'POST');
      throw new AppError('invalid_request', 'The token endpoint accepts POST only.', { status: 405, headers: { allow: 'POST' } });
    },
  });
}

function toOAuthError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new AppError('invalid_request', `The request body exceeds ${TOKEN_BODY_LIMIT} bytes.`, { status: 413 });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new AppError('invalid_request', 'Content-Type must be application/x-www-form-urlencoded or application/json');
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('invalid_request', 'The request could not be read.', { status: error.statusCode });
  }
  return new AppError('server_error', 'The server could not complete the request.', { detail: error.message });
}
