/**
 * The closed set of error codes Latchkey speaks. OAuth codes are RFC 6749 §5.2 (plus RFC 8707
 * `invalid_target` and the conventional `too_many_requests`); the rest are problem codes of the
 * management surfaces and the CLI.
 */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
  'invalid_target',
  'too_many_requests',
  'server_error',
  'temporarily_unavailable',
] as const;

/** RFC 6750 §3.1: what a resource server answers about a bearer token. */
export const BEARER_ERROR_CODES = ['invalid_token', 'insufficient_scope'] as const;

export const PROBLEM_CODES = [
  'validation_failed',
  'not_found',
  'conflict',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'range_not_satisfiable',
] as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];
export type ProblemCode = (typeof PROBLEM_CODES)[number];
export type BearerErrorCode = (typeof BEARER_ERROR_CODES)[number];
export type ErrorCode = OAuthErrorCode | BearerErrorCode | ProblemCode;

/** The body of every error at the token endpoint (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/** The one JSON problem shape of every other endpoint. */
export interface ProblemBody {
  error: ErrorCode;
  message: string;
  details?: string[];
}
