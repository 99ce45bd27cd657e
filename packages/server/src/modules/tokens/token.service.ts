import { isScope, normalizeScopes, type Scope } from '@latchkey/contract';
import { trimTrailingSlashes } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../../infra/keyring.ts';
import { FailureLimiter, type RateLimitRule } from '../../infra/rate-limiter.ts';
import type { LastUsedRecorder } from '../integrations/last-used.ts';
import { explainWithoutLookup, invalidClient, type ClientCredentials } from './client-auth.ts';
import type { CachedSecret, ClientRecord, ClientRegistry } from './client-registry.ts';
import type { TokenParams } from './token-request.ts';

export interface TokenServiceOptions {
  /** Every audience served; the first is the default. */
  audiences: readonly string[];
  /** Authentication failures allowed per address, and per address and client id. */
  limits?: { perAddress?: RateLimitRule; perAddressAndClient?: RateLimitRule };
}

/** Echoed input stays short: an error description is not a place for 16 KiB of a client's bytes. */
const shorten = (value: string) => (value.length > 100 ? `${value.slice(0, 100)}…` : value);

const CLIENT_ID_RE = /^[0-9A-Za-z]{32}$/;

/**
 * The unit an address is throttled by: an IPv4 address, or an IPv6 /64 (one subscriber's
 * network; counting single IPv6 addresses would let a client walk around the limit).
 */
export function throttleSource(address: string): string {
  if (!address.includes(':') || address.startsWith('::ffff:')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export const DEFAULT_LIMITS = {
  perAddress: { limit: 100, windowMs: 60_000 },
  perAddressAndClient: { limit: 10, windowMs: 60_000 },
} as const;

/** The rules of the token endpoint, free of HTTP: authenticate, check grant, resolve audience and scope. */
export class TokenService {
  private readonly byAddress: FailureLimiter;
  private readonly byAddressAndClient: FailureLimiter;

  constructor(
    private readonly registry: ClientRegistry,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly lastUsed: LastUsedRecorder,
    private readonly options: TokenServiceOptions,
  ) {
    this.byAddress = new FailureLimiter(clock, options.limits?.perAddress ?? DEFAULT_LIMITS.perAddress);
    this.byAddressAndClient = new FailureLimiter(clock, options.limits?.perAddressAndClient ?? DEFAULT_LIMITS.perAddressAndClient);
  }

  /**
   * Refuses an address, or an address for one client, that failed too often. Never a client
   * alone: client ids are public, so that would let anyone lock a production integration out.
   */
  checkThrottle(address: string, clientId: string): void {
    if (this.byAddress.isEmpty()) return;
    const source = throttleSource(address);
    const perClient = CLIENT_ID_RE.test(clientId) ? this.byAddressAndClient.retryAfter(`${source}\n${clientId}`) : 0;
    const wait = Math.max(this.byAddress.retryAfter(source), perClient);
    if (wait > 0) {
      throw new AppError('too_many_requests', 'Too many failed authentication attempts; retry later.', { headers: { 'retry-after': String(wait) } });
    }
  }

  recordFailure(address: string, clientId: string | undefined): void {
    const source = throttleSource(address);
    this.byAddress.fail(source);
    // Only ids that could exist get a window of their own: a flood of made-up ids cannot grow memory.
    if (clientId && CLIENT_ID_RE.test(clientId)) this.byAddressAndClient.fail(`${source}\n${clientId}`);
  }

  /**
   * RFC 6749 §2.3.1. Unknown client, wrong secret and disabled integration share one message so
   * nothing can be enumerated. Returns synchronously when the client is cached.
   */
  authenticate(credentials: ClientCredentials): ClientRecord | Promise<ClientRecord> {
    const usedBasic = credentials.method === 'client_secret_basic';
    const explained = explainWithoutLookup(credentials);
    if (explained) throw invalidClient(usedBasic, explained);
    // Not shaped like a client id: nothing to look up (same message as an unknown one).
    if (!CLIENT_ID_RE.test(credentials.clientId)) throw invalidClient(usedBasic);
    const found = this.registry.get(credentials.clientId);
    if (found instanceof Promise) return found.then((record) => this.verify(record, credentials, usedBasic));
    return this.verify(found, credentials, usedBasic);
  }

  private verify(record: ClientRecord | undefined, credentials: ClientCredentials, usedBasic: boolean): ClientRecord {
    const sent = Buffer.from(credentials.clientSecret);
    if (!record) {
      // Hash even for an unknown client, so response time says nothing about existence.
      this.keyring.hmacBytes('secret-hash', credentials.clientSecret);
      throw invalidClient(usedBasic);
    }
    const now = this.clock.now();
    let matched: CachedSecret | null = null;
    let hash: Buffer | null = null;
    for (const secret of record.secrets) {
      // A grace period ends on time, whatever the cache holds.
      if (secret.expiresAt != null && secret.expiresAt <= now) continue;
      if (secret.verified !== null && secret.verified.length === sent.length && timingSafeEqual(secret.verified, sent)) {
        matched = secret;
        continue;
      }
      hash ??= this.keyring.hmacBytes('secret-hash', credentials.clientSecret);
      // Both are 32-byte HMACs: timingSafeEqual compares them in constant time.
      if (secret.hash.length === hash.length && timingSafeEqual(hash, secret.hash)) {
        matched = secret;
        secret.verified = sent;
      }
    }
    if (matched === null || record.disabled) throw invalidClient(usedBasic);
    this.lastUsed.record(record.environmentId, matched.id, now);
    return record;
  }

  /**
   * `audience` (Auth0 style) or RFC 8707 `resource`: one audience per token. An audience this
   * server does not serve is `access_denied`; such a resource is `invalid_target`.
   */
  resolveAudience(params: TokenParams): string {
    let audience: string | undefined;
    for (const resource of params.resource) {
      const served = this.served(resource);
      if (!served) throw new AppError('invalid_target', `The resource "${shorten(resource)}" is not served by this server.`);
      if (audience !== undefined && served !== audience) throw new AppError('invalid_target', 'A token has one audience: request one resource at a time.');
      audience = served;
    }
    if (params.audience !== undefined) {
      const fromAudience = this.served(params.audience);
      if (!fromAudience) throw new AppError('access_denied', `The audience "${shorten(params.audience)}" is not served by this server.`);
      if (audience && audience !== fromAudience) throw new AppError('invalid_target', 'audience and resource name different audiences.');
      audience = fromAudience;
    }
    return audience ?? this.options.audiences[0]!;
  }

  /** The served audience `value` names (a trailing slash is forgiven), if any. */
  private served(value: string): string | undefined {
    const trimmed = trimTrailingSlashes(value);
    for (const audience of this.options.audiences) if (audience === value || audience === trimmed) return audience;
    return undefined;
  }

  /** RFC 6749 §3.3: omitted means every scope the integration holds; a subset down-scopes. */
  resolveScopes(record: ClientRecord, requested: string | undefined): readonly Scope[] {
    if (requested === undefined) {
      if (record.scopes.length === 0) throw new AppError('invalid_scope', 'This integration holds no permissions; grant it scopes first.');
      return record.scopes;
    }
    const asked = requested.split(' ').filter(Boolean);
    if (asked.length === 0) return this.resolveScopes(record, undefined);
    const held = new Set<string>(record.scopes);
    const refused = asked.filter((scope) => !isScope(scope) || !held.has(scope));
    if (refused.length > 0) {
      throw new AppError('invalid_scope', `Scope not granted to this integration: ${shorten(refused.join(' '))}.`);
    }
    return normalizeScopes(asked as Scope[]);
  }
}
