import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { normalizeAddress, throttleSource } from '../../infra/client-address.ts';
import { FailureLimiter, type RateLimitRule } from '../../infra/rate-limiter.ts';
import type { LastUsedRecorder } from '../integrations/last-used.ts';
import { explainWithoutLookup, invalidClient, type ClientCredentials } from '../tokens/client-auth.ts';
import type { CachedSecret, ClientRecord, ClientRegistry } from '../tokens/client-registry.ts';

/** Why a client was refused: private, for the audit log only (one public message for all). */
export type ClientRefusal = 'unknown_client' | 'wrong_secret' | 'disabled' | 'expired_secret' | 'malformed';

export interface ClientAuthenticationLimits {
  /** Authentication failures allowed per address, and per address and client id. */
  perAddress?: RateLimitRule;
  perAddressAndClient?: RateLimitRule;
}

export const DEFAULT_LIMITS = {
  perAddress: { limit: 100, windowMs: 60_000 },
  perAddressAndClient: { limit: 10, windowMs: 60_000 },
} as const;

const CLIENT_ID_RE = /^[0-9A-Za-z]{32}$/;

/** Kept for callers of the old name. */
export { throttleSource };

const refused = (usedBasic: boolean, reason: ClientRefusal, description?: string) => {
  const error = invalidClient(usedBasic, description);
  (error as AppError & { reason: ClientRefusal }).reason = reason;
  return error;
};

/** The private reason of an `invalid_client` refusal, if it carries one. */
export const refusalReason = (error: unknown): ClientRefusal | undefined => (error as { reason?: ClientRefusal } | null)?.reason;

/**
 * One client authentication for the token, introspection and revocation endpoints
 * (RFC 6749 §2.3.1): throttle → authenticate → record failure. Unknown client, wrong secret and
 * disabled integration share one public message, so nothing can be enumerated.
 */
export class ClientAuthentication {
  private readonly byAddress: FailureLimiter;
  private readonly byAddressAndClient: FailureLimiter;

  constructor(
    private readonly registry: ClientRegistry,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly lastUsed: LastUsedRecorder,
    limits: ClientAuthenticationLimits = {},
  ) {
    this.byAddress = new FailureLimiter(clock, limits.perAddress ?? DEFAULT_LIMITS.perAddress);
    this.byAddressAndClient = new FailureLimiter(clock, limits.perAddressAndClient ?? DEFAULT_LIMITS.perAddressAndClient);
  }

  /**
   * Refuses an address, or an address for one client, that failed too often. Never a client
   * alone: client ids are public, so that would let anyone lock a production integration out.
   */
  checkThrottle(address: string, clientId: string): void {
    // Nobody over a limit (the common case): nothing to refuse, no key to build.
    if (!this.byAddress.isThrottling() && !this.byAddressAndClient.isThrottling()) return;
    const source = normalizeAddress(address);
    const perClient = CLIENT_ID_RE.test(clientId) ? this.byAddressAndClient.retryAfter(`${source}\n${clientId}`) : 0;
    const wait = Math.max(this.byAddress.retryAfter(source), perClient);
    if (wait > 0) {
      throw new AppError('too_many_requests', 'Too many failed authentication attempts; retry later.', { headers: { 'retry-after': String(wait) } });
    }
  }

  recordFailure(address: string, clientId: string | undefined): void {
    const source = normalizeAddress(address);
    this.byAddress.fail(source);
    // Only ids that could exist get a window of their own: a flood of made-up ids cannot grow memory.
    if (clientId && CLIENT_ID_RE.test(clientId)) this.byAddressAndClient.fail(`${source}\n${clientId}`);
  }

  /** Synchronous when the client is cached: the token endpoint's hot path awaits nothing here. */
  authenticate(credentials: ClientCredentials): ClientRecord | Promise<ClientRecord> {
    const usedBasic = credentials.method === 'client_secret_basic';
    const explained = explainWithoutLookup(credentials);
    if (explained) throw refused(usedBasic, 'malformed', explained);
    // Not shaped like a client id: nothing to look up (same message as an unknown one).
    if (!CLIENT_ID_RE.test(credentials.clientId)) throw refused(usedBasic, 'unknown_client');
    const found = this.registry.get(credentials.clientId);
    if (found instanceof Promise) return found.then((record) => this.verify(record, credentials, usedBasic));
    return this.verify(found, credentials, usedBasic);
  }

  /** The whole pipeline, for the endpoints off the hot path (introspection, revocation). */
  async run(address: string, credentials: ClientCredentials): Promise<ClientRecord> {
    this.checkThrottle(address, credentials.clientId);
    try {
      return await this.authenticate(credentials);
    } catch (error) {
      if (error instanceof AppError && error.code === 'invalid_client') this.recordFailure(address, credentials.clientId);
      throw error;
    }
  }

  private verify(record: ClientRecord | undefined, credentials: ClientCredentials, usedBasic: boolean): ClientRecord {
    const sent = Buffer.from(credentials.clientSecret);
    if (!record) {
      // Hash even for an unknown client, so response time says nothing about existence.
      this.keyring.hmacBytes('secret-hash', credentials.clientSecret);
      throw refused(usedBasic, 'unknown_client');
    }
    const now = this.clock.now();
    let matched: CachedSecret | null = null;
    let expired = false;
    let hash: Buffer | null = null;
    for (const secret of record.secrets) {
      if (secret.verified !== null && secret.verified.length === sent.length && timingSafeEqual(secret.verified, sent)) {
        // A grace period or an expiry ends on time, whatever the cache holds.
        if (secret.expiresAt != null && secret.expiresAt <= now) expired = true;
        else matched = secret;
        continue;
      }
      hash ??= this.keyring.hmacBytes('secret-hash', credentials.clientSecret);
      // Both are 32-byte HMACs: timingSafeEqual compares them in constant time.
      if (secret.hash.length === hash.length && timingSafeEqual(hash, secret.hash)) {
        if (secret.expiresAt != null && secret.expiresAt <= now) expired = true;
        else {
          matched = secret;
          secret.verified = sent;
        }
      }
    }
    if (matched === null) throw refused(usedBasic, expired ? 'expired_secret' : 'wrong_secret');
    if (record.disabled) throw refused(usedBasic, 'disabled');
    this.lastUsed.record(record.environmentId, matched.id, now);
    return record;
  }
}
