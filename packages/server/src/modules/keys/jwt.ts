import { sign as signAsync, type KeyObject } from 'node:crypto';
import type { SigningAlg } from '../../config.ts';

/** The digest and signature encoding node:crypto needs for each JWS algorithm (RFC 7518, RFC 8037). */
function signParams(alg: SigningAlg, key: KeyObject): { digest: string | null; key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } } {
  if (alg === 'ES256') return { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } };
  if (alg === 'EdDSA') return { digest: null, key };
  return { digest: 'sha256', key };
}

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  /** base64url of the protected header, computed once per key. */
  encodedHeader: string;
}

export function encodeHeader(alg: SigningAlg, kid: string): string {
  // RFC 9068 §2.1: typ "at+jwt".
  return Buffer.from(JSON.stringify({ alg, typ: 'at+jwt', kid })).toString('base64url');
}

/**
 * Signs a JWT. node:crypto's callback form runs the signature on the libuv thread pool, so the
 * event loop never waits on RSA and a second core takes part.
 */
export function signJwt(key: SigningKey, claims: object): Promise<string> {
  const signingInput = `${key.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const params = signParams(key.alg, key.privateKey);
  return new Promise((resolve, reject) => {
    signAsync(params.digest, Buffer.from(signingInput), params.key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}
