import { OAUTH_ERROR_CODES, type ErrorCode, type OAuthErrorCode } from '@latchkey/contract';
import { isDatabaseUnavailable } from './infra/database-health.ts';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  invalid_target: 400,
  too_many_requests: 429,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_token: 401,
  insufficient_scope: 403,
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  range_not_satisfiable: 416,
};

export interface AppErrorOptions {
  status?: number;
  headers?: Record<string, string>;
  /** Private: logged or audited, never sent. */
  detail?: string;
  details?: string[];
  /** RFC 9457 `type` where a problem has its own (the Environment API's renderer uses it). */
  problemType?: string;
}

/**
 * The one error type: a closed code, a public description and a private `detail` (logged or
 * audited, never sent). HTTP status and headers are defaults; each surface's renderer decides the
 * wire shape (RFC 6749 §5.2, RFC 6750 + RFC 9457, or the management API's problem shape).
 */
export class AppError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly details: string[] | undefined;
  readonly problemType: string | undefined;

  constructor(
    readonly code: ErrorCode,
    readonly description: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? description);
    this.name = 'AppError';
    this.status = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
    this.details = options.details;
    this.problemType = options.problemType;
  }
}

export const isOAuthCode = (code: ErrorCode): code is OAuthErrorCode => (OAUTH_ERROR_CODES as readonly string[]).includes(code);

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const invalid = (message: string, details?: string[]) =>
  new AppError('validation_failed', message, details ? { details } : {});

const CLIENT_ERROR_CODES: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
};

/** Seconds a client is asked to wait while the database cannot answer. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export const temporarilyUnavailable = (error: unknown) =>
  new AppError('temporarily_unavailable', 'The service is temporarily unavailable; retry shortly.', {
    headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) },
    detail: String(error),
  });

/**
 * Any thrown value as an AppError: Fastify's own client errors (validation, bad JSON, body too
 * large, unsupported content type) keep their status and message; a database that cannot answer
 * is a 503 with Retry-After; anything else is a 500 whose message is never sent.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return temporarilyUnavailable(error);
  const candidate = error as { statusCode?: number; message?: string; validation?: unknown } | null;
  const status = candidate?.statusCode;
  if (status && status >= 400 && status < 500) {
    return new AppError(CLIENT_ERROR_CODES[status] ?? 'validation_failed', candidate?.message ?? 'Bad request', { status });
  }
  return new AppError('server_error', 'The server could not complete the request.', { detail: String(error) });
}
