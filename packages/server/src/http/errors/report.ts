import type { FastifyBaseLogger } from 'fastify';
import { AppError, toAppError } from '../../errors.ts';
import type { DatabaseHealth } from '../../infra/database-health.ts';

/**
 * What every surface does with an error before rendering it in its own dialect: a database outage
 * is counted (logged once when it starts and once when it ends, by DatabaseHealth), a server
 * error is logged with its stack, a client's mistake is not logged at all.
 */
export function reportError(error: unknown, log: FastifyBaseLogger, health: DatabaseHealth): AppError {
  const appError = toAppError(error);
  if (appError.code === 'temporarily_unavailable' && !(error instanceof AppError)) health.refusedOne(error);
  else if (appError.status >= 500 && appError.code !== 'temporarily_unavailable') log.error({ err: error }, 'request failed');
  return appError;
}
