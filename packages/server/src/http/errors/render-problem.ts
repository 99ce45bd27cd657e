import type { FastifyReply } from 'fastify';
import { toAppError } from '../../errors.ts';

/**
 * The management API's one problem shape `{error, message, details?}` (SPEC §3). 5xx messages are
 * generic: what went wrong inside is logged, never sent.
 */
export function sendProblem(reply: FastifyReply, error: unknown): FastifyReply {
  const appError = toAppError(error);
  const body = { error: appError.code, message: appError.description, ...(appError.details ? { details: appError.details } : {}) };
  return reply
    .code(appError.status)
    .headers(appError.headers)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(body));
}
