import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { AppError, isOAuthCode, toAppError } from '../../errors.ts';

export interface RenderedError {
  status: number;
  headers: Record<string, string | number>;
  body: string;
}

/**
 * RFC 6749 §5.2: `{error, error_description}`, never cached (§5.1: "Cache-Control: no-store",
 * "Pragma: no-cache" on errors too). The dialect of the token, introspection and revocation endpoints.
 */
export function renderOAuthError(error: unknown): RenderedError {
  const appError = toAppError(error);
  const body = JSON.stringify({
    error: isOAuthCode(appError.code) ? appError.code : 'invalid_request',
    error_description: appError.description,
  });
  return {
    status: appError.status,
    headers: {
      ...appError.headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'x-content-type-options': 'nosniff',
    },
    body,
  };
}

/** Writes an OAuth error on a bare node:http response (the token endpoint's fast path). */
export function writeOAuthError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) return void response.destroy();
  const rendered = renderOAuthError(error);
  response.writeHead(rendered.status, rendered.headers);
  response.end(rendered.body);
}

export function sendOAuthError(reply: FastifyReply, error: unknown): FastifyReply {
  const rendered = renderOAuthError(error);
  return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
}

export { AppError };
