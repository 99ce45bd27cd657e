import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { AppError, toAppError } from '../../errors.ts';

/** How a Bearer challenge names itself (RFC 6750 §3). */
export const BEARER_REALM = 'latchkey';

/** RFC 6750 §3 error codes, carried by AppError's `bearer` option. */
export type BearerChallengeCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** RFC 6750 §3: error_description and scope allow %x20-21 / %x23-5B / %x5D-7E only (no quote, no backslash). */
const headerSafe = (value: string) => value.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');

/**
 * The WWW-Authenticate value of RFC 6750 §3: `Bearer realm="latchkey"` alone when no credentials
 * were sent (§3.1: no error code then), else the error, its description and, for
 * insufficient_scope, the scope needed.
 */
export function bearerChallenge(code?: BearerChallengeCode, description?: string, scope?: string): string {
  let value = `Bearer realm="${BEARER_REALM}"`;
  if (code) value += `, error="${code}"`;
  if (code && description) value += `, error_description="${headerSafe(description)}"`;
  if (scope) value += `, scope="${headerSafe(scope)}"`;
  return value;
}

/**
 * The Environment API's dialect, as GraFx answers: RFC 9457 problem details
 * `{type, title, status, detail}` as `application/problem+json`, with the RFC 6750 challenge on
 * 401 and on insufficient scope. 5xx details are generic: what went wrong inside is logged only.
 */
export function sendBearerProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const appError = toAppError(error);
  const status = appError.status;
  const body = {
    type: appError.problemType ?? `https://httpstatuses.io/${status}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail: appError.description,
    ...(appError.details ? { errors: appError.details } : {}),
  };
  return reply
    .code(status)
    .headers(appError.headers)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(body));
}

export { AppError };
