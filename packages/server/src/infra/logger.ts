import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.ts';

/**
 * One redaction list, applied by the logger itself, so no code path can log a secret by accident
 * (SPEC §8). Paths cover request headers and any object carrying these keys.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.token',
  '*.password',
  'client_secret',
  'clientSecret',
  'access_token',
  'token',
  'password',
];

export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Log the path only: a query string could carry a credential a careless client put there.
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
    },
    ...(stream ? { stream } : {}),
  } as FastifyServerOptions['logger'];
}
