import { randomBytes } from 'node:crypto';
import { base62, base62OfNumber, crc32, isBase62 } from '../../infra/encoding.ts';

export const SECRET_PREFIX = 'lk_secret_';
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;

const checksum = (body: string): string => base62OfNumber(crc32(body), CHECKSUM_LENGTH);

/**
 * A new credential behind `prefix`: 256 random bits as 43 base62 characters, then the CRC-32 of
 * those characters in 6 base62 characters, so secret scanners can match it and a mistyped one is
 * refused before any lookup (SPEC §1). Client secrets and personal access tokens share it.
 */
export function generateChecksummed(prefix: string): string {
  const body = base62(randomBytes(32), BODY_LENGTH);
  return `${prefix}${body}${checksum(body)}`;
}

/** True when `value` is `prefix` + 43 base62 + a checksum that holds: no lookup needed. */
export function isWellFormedChecksummed(prefix: string, value: string): boolean {
  if (typeof value !== 'string' || value.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH || !value.startsWith(prefix)) return false;
  const body = value.slice(prefix.length, prefix.length + BODY_LENGTH);
  const sum = value.slice(prefix.length + BODY_LENGTH);
  return isBase62(body) && isBase62(sum) && checksum(body) === sum;
}

/** A new client secret (`lk_secret_…`). */
export const generateClientSecret = (): string => generateChecksummed(SECRET_PREFIX);

/** True when `value` is shaped like a Latchkey secret and its checksum holds: no lookup needed. */
export const isWellFormedClientSecret = (value: string): boolean => isWellFormedChecksummed(SECRET_PREFIX, value);

/** Enough of a secret to tell two apart in a listing, never enough to use. */
export const secretHint = (secret: string): string => `…${secret.slice(-4)}`;
