import { randomBytes } from 'node:crypto';
import { base62, base62OfNumber, crc32, isBase62 } from '../../infra/encoding.ts';

export const SECRET_PREFIX = 'lk_secret_';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const SECRET_LENGTH = SECRET_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;

const checksum = (body: string): string => base62OfNumber(crc32(body), CHECKSUM_LENGTH);

/**
 * A new client secret: 256 random bits as 43 base62 characters, then the CRC-32 of those
 * characters in 6 base62 characters, behind a prefix secret scanners can match (SPEC §1).
 */
export function generateClientSecret(): string {
  const body = base62(randomBytes(32), BODY_LENGTH);
  return `${SECRET_PREFIX}${body}${checksum(body)}`;
}

/** True when `value` is shaped like a Latchkey secret and its checksum holds: no lookup needed. */
export function isWellFormedClientSecret(value: string): boolean {
  if (value.length !== SECRET_LENGTH || !value.startsWith(SECRET_PREFIX)) return false;
  const body = value.slice(SECRET_PREFIX.length, SECRET_PREFIX.length + BODY_LENGTH);
  const sum = value.slice(SECRET_PREFIX.length + BODY_LENGTH);
  return isBase62(body) && isBase62(sum) && checksum(body) === sum;
}

/** Enough of a secret to tell two apart in a listing, never enough to use. */
export const secretHint = (secret: string): string => `…${secret.slice(-4)}`;
