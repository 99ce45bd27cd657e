import { OAUTH_ERROR_CODES, type ErrorCode, type OAuthErrorCode } from '@latchkey/contract';

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
  validation_failed: 400,
  not_found: 404,
  conflict: 409,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
};

/**
 * The one error type. `description` is public (sent to the client); `detail` is private (logged,
 * never sent). Routes decide the wire shape: RFC 6749 §5.2 at the token endpoint, the problem
 * shape elsewhere.
 */
export class AppError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly description: string,
    options: { status?: number; headers?: Record<string, string>; detail?: string; details?: string[] } = {},
  ) {
    super(options.detail ?? description);
    this.name = 'AppError';
    this.status = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  readonly details: string[] | undefined;
}

export const isOAuthCode = (code: ErrorCode): code is OAuthErrorCode => (OAUTH_ERROR_CODES as readonly string[]).includes(code);

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const invalid = (message: string, details?: string[]) =>
  new AppError('validation_failed', message, details ? { details } : {});
