import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { isPrivilegedScope, isScope, type Scope } from '@latchkey/contract';
import { trimTrailingSlashes, type SigningAlg } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Principal } from '../../http/principal.ts';
import type { ChangeFeed } from '../../infra/change-feed.ts';
import type { Clock } from '../../infra/clock.ts';
import type { SigningKeysService } from '../keys/signing-keys.service.ts';
import type { ClientRecord, ClientRegistry } from '../tokens/client-registry.ts';
import { RevokedTokensRepository } from './revoked-tokens.repository.ts';

/**
 * Why a bearer token was refused: a closed union callers can switch on (as jose's error codes).
 * Every one is `invalid_token` on the wire (RFC 6750 §3.1); the description says which.
 */
export type BearerErrorCode =
  | 'malformed'
  | 'unsupported_alg'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_type'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_environment'
  | 'integration_gone'
  | 'integration_disabled'
  | 'revoked';

const DESCRIPTIONS: Record<BearerErrorCode, string> = {
  malformed: 'The access token is malformed',
  unsupported_alg: 'The access token is not signed with the algorithm of its key',
  unknown_key: 'The access token was not signed by a key this server publishes',
  bad_signature: 'The access token signature is invalid',
  wrong_type: 'The token is not an access token (typ must be at+jwt)',
  wrong_issuer: 'The access token was issued by another server',
  wrong_audience: 'The access token is meant for another audience',
  expired: 'The access token expired',
  not_yet_valid: 'The access token is not valid yet',
  wrong_environment: 'The access token belongs to another environment',
  integration_gone: 'The integration of this access token no longer exists',
  integration_disabled: 'The integration of this access token is disabled',
  revoked: 'The access token has been revoked',
};

export class BearerTokenError extends Error {
  constructor(readonly code: BearerErrorCode) {
    super(DESCRIPTIONS[code]);
    this.name = 'BearerTokenError';
  }
}

/** Clock skew allowed between nodes for `nbf` and `iat` (SPEC §4: at most 30 s). `exp` gets none. */
export const LEEWAY_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8192;
const MAX_CACHED = 50_000;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface Claims {
  iss?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  jti?: unknown;
  scope?: unknown;
  client_id?: unknown;
  environment?: unknown;
  integration_id?: unknown;
}

interface Verified {
  principal: Principal;
  /** The integration's cached state: dropped (`invalidated`) by any change to it, here or elsewhere. */
  record: ClientRecord;
  keysGeneration: number;
  expiresAtMs: number;
}

const decodeJson = (part: string): Record<string, unknown> | null => {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

function signatureValid(alg: SigningAlg, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  if (alg === 'EdDSA') return verifySignature(null, Buffer.from(signingInput), key, signature);
  if (alg === 'ES256') return verifySignature('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, signature);
  return verifySignature('sha256', Buffer.from(signingInput), key, signature);
}

/**
 * One operation: is this bearer token good for this environment, now? (SPEC §4.) Verified tokens
 * are cached until they expire or anything they depend on changes (their integration, the keys,
 * a stale change feed), so a known token costs a map lookup and four comparisons.
 */
export class AccessTokenVerifier {
  private readonly cache = new Map<string, Verified>();
  private readonly revoked: RevokedTokensRepository;
  private readonly audiences: ReadonlySet<string>;

  constructor(
    db: Db,
    private readonly registry: ClientRegistry,
    private readonly signingKeys: SigningKeysService,
    private readonly feed: ChangeFeed,
    private readonly clock: Clock,
    private readonly issuer: string,
    audiences: readonly string[],
  ) {
    this.revoked = new RevokedTokensRepository(db);
    this.audiences = new Set(audiences);
  }

  /**
   * The principal of a good token, synchronously when it was verified before; else a promise.
   * Throws (or rejects with) a BearerTokenError.
   */
  verify(token: string, environment: string): Principal | Promise<Principal> {
    const hit = this.known(token);
    if (hit !== undefined) {
      if (hit.environmentId !== environment) throw new BearerTokenError('wrong_environment');
      return hit;
    }
    return this.verifyFully(token, environment);
  }

  /**
   * The principal of a token verified before and still good by every rule (integration unchanged,
   * keys unchanged, not expired, change feed current); undefined otherwise. Never starts a
   * verification: the caller falls back to `verify`.
   */
  known(token: string): Principal | undefined {
    const hit = this.cache.get(token);
    if (
      hit !== undefined &&
      !hit.record.invalidated &&
      this.clock.now() < hit.expiresAtMs &&
      hit.keysGeneration === this.signingKeys.keysGeneration() &&
      this.feed.isFresh()
    ) {
      return hit.principal;
    }
    return undefined;
  }

  /** Whether the token would be accepted anywhere in its environment (introspection). */
  async inspect(token: string): Promise<{ principal: Principal; claims: Record<string, unknown> } | null> {
    try {
      const claims = this.checkSignatureAndClaims(token);
      const principal = await this.verifyFully(token, String(claims.environment));
      return { principal, claims };
    } catch (error) {
      if (error instanceof BearerTokenError) return null;
      throw error;
    }
  }

  /**
   * Signature and claims only (no database): what a token says, once it is known to be ours.
   * Used by revocation, which must also accept a token of a disabled integration.
   */
  checkSignatureAndClaims(token: string): Claims & Record<string, unknown> {
    if (token.length > MAX_TOKEN_LENGTH) throw new BearerTokenError('malformed');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) throw new BearerTokenError('malformed');
    const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
    const header = decodeJson(encodedHeader);
    const claims = decodeJson(encodedPayload);
    if (!header || !claims) throw new BearerTokenError('malformed');
    // RFC 9068 §4: the typ header must be at+jwt (or application/at+jwt).
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw new BearerTokenError('wrong_type');
    if (typeof header.kid !== 'string') throw new BearerTokenError('unknown_key');
    const key = this.signingKeys.verificationKey(header.kid);
    if (!key) throw new BearerTokenError('unknown_key');
    // The key decides the algorithm: `none`, HS256 with the public key as secret, or any other
    // algorithm named by the token is refused before a signature is computed.
    if (header.alg !== key.alg) throw new BearerTokenError('unsupported_alg');
    if (!signatureValid(key.alg, key.key, `${encodedHeader}.${encodedPayload}`, Buffer.from(encodedSignature, 'base64url'))) {
      throw new BearerTokenError('bad_signature');
    }
    if (claims.iss !== this.issuer) throw new BearerTokenError('wrong_issuer');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((aud) => typeof aud === 'string' && (this.audiences.has(aud) || this.audiences.has(trimTrailingSlashes(aud))))) {
      throw new BearerTokenError('wrong_audience');
    }
    const now = this.clock.now() / 1000;
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') throw new BearerTokenError('malformed');
    if (now >= claims.exp) throw new BearerTokenError('expired');
    if (claims.iat > now + LEEWAY_SECONDS || (typeof claims.nbf === 'number' && claims.nbf > now + LEEWAY_SECONDS)) {
      throw new BearerTokenError('not_yet_valid');
    }
    for (const name of ['jti', 'client_id', 'environment', 'integration_id', 'scope'] as const) {
      if (typeof claims[name] !== 'string') throw new BearerTokenError('malformed');
    }
    return claims;
  }

  private async verifyFully(token: string, environment: string): Promise<Principal> {
    // Keys changed elsewhere and are being reloaded: wait, rather than refuse a good token.
    await this.signingKeys.ready();
    const keysGeneration = this.signingKeys.keysGeneration();
    const claims = this.checkSignatureAndClaims(token);
    const environmentId = claims.environment as string;
    if (environmentId !== environment) throw new BearerTokenError('wrong_environment');
    const jti = claims.jti as string;
    // The record first, the deny list after: a revocation committed after this read invalidates
    // the record (and so this verification); one committed before it is seen by the read below.
    const record = await this.registry.get(claims.client_id as string);
    if (!record || record.integrationId !== claims.integration_id || record.environmentId !== environmentId) {
      throw new BearerTokenError('integration_gone');
    }
    if (record.disabled) throw new BearerTokenError('integration_disabled');
    if (record.tokensNotBefore !== null && (claims.iat as number) < record.tokensNotBefore) throw new BearerTokenError('revoked');
    if (await this.revoked.isRevoked(environmentId, jti)) throw new BearerTokenError('revoked');
    const scopes = new Set<Scope>();
    for (const scope of (claims.scope as string).split(' ')) if (isScope(scope)) scopes.add(scope);
    const principal: Principal = {
      environmentId,
      integrationId: record.integrationId,
      clientId: record.clientId,
      scopes,
      jti,
      expiresAt: claims.exp as number,
      allowBrowserWrites: record.allowBrowserWrites,
      privileged: [...scopes].some(isPrivilegedScope),
      actor: { type: 'integration', id: record.clientId },
    };
    // Only a view known to be current may seed the cache (as for reusable tokens).
    if (!record.invalidated && this.feed.isFresh()) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(token, { principal, record, keysGeneration, expiresAtMs: (claims.exp as number) * 1000 });
    }
    return principal;
  }

  /** Drops every cached verification (tests and emergencies; changes need no call: see verify()). */
  clear(): void {
    this.cache.clear();
  }
}
