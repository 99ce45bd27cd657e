import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.ts';
import type { ChangeFeed } from '../../infra/change-feed.ts';
import type { Clock } from '../../infra/clock.ts';
import { newJti } from '../../infra/ids.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { signJwt } from '../keys/jwt.ts';
import type { SigningKeysService } from '../keys/signing-keys.service.ts';
import type { ClientRecord } from './client-registry.ts';
import { ReusableTokensRepository, type ReusableTokenRow } from './reusable-tokens.repository.ts';

const MAX_SCOPE_SETS_PER_AUDIENCE = 64;
/** Stored reusable tokens per integration (every audience and scope set together). */
export const MAX_REUSABLE_ROWS_PER_INTEGRATION = 64;

/** A token as handed out, with its response body rebuilt at most once a second. */
export class IssuedToken {
  private bodySecond = -1;
  private body = Buffer.alloc(0);
  /**
   * True until this process hands the token out for the first time: that hand-out is a mint, every
   * later one a reuse (activity counts). A token read back from the database was minted elsewhere.
   */
  fresh = false;

  constructor(
    readonly token: string,
    readonly jti: string,
    readonly kid: string,
    readonly scope: string,
    /** Epoch seconds. */
    readonly expiresAt: number,
  ) {}

  /**
   * The RFC 6749 §5.1 body. `expires_in` is exp minus now in whole seconds, rounded down:
   * floor(exp − now) = exp − ceil(now), so the body changes only when ceil(now) does.
   */
  responseBody(nowMs: number): Buffer {
    const second = Math.ceil(nowMs / 1000);
    if (second !== this.bodySecond) {
      this.bodySecond = second;
      this.body = Buffer.from(JSON.stringify({
        access_token: this.token,
        token_type: 'Bearer',
        expires_in: Math.max(0, this.expiresAt - second),
        scope: this.scope,
      }));
    }
    return this.body;
  }
}

/**
 * Reuse or mint (SPEC §2, §8): the same token for the same integration, audience and scope set
 * while more than the reuse window of its life remains — across concurrent callers and across
 * processes sharing the database.
 */
export class TokenIssuer {
  private readonly minting = new Map<string, Promise<IssuedToken>>();
  private readonly repository: ReusableTokensRepository;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    db: Db,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly signingKeys: SigningKeysService,
    private readonly feed: ChangeFeed,
    private readonly issuer: string,
  ) {
    this.repository = new ReusableTokensRepository(db);
  }

  /** The reused token if one is in memory and still good: no await, no database. */
  reusable(client: ClientRecord, audience: string, scope: string): IssuedToken | undefined {
    if (!this.feed.isFresh()) return undefined;
    const entry = client.reusable.get(audience)?.get(scope);
    return entry && this.stillReusable(client, entry.expiresAt, entry.kid) ? entry : undefined;
  }

  /** `scope`: the granted scopes, space-separated in catalog order. */
  issue(client: ClientRecord, audience: string, scope: string): Promise<IssuedToken> {
    // A window equal to the TTL means every request mints a fresh token (SPEC §2): nothing to share.
    if (client.tokenReuseWindowSeconds >= client.tokenTtlSeconds) return this.mint(client, audience, scope);
    const fromMemory = this.reusable(client, audience, scope);
    if (fromMemory) return Promise.resolve(fromMemory);
    const key = this.cacheKey(client, audience, scope);
    let pending = this.minting.get(key);
    if (!pending) {
      pending = this.reuseOrMint(client, audience, scope, key).finally(() => this.minting.delete(key));
      this.minting.set(key, pending);
    }
    return pending;
  }

  private async reuseOrMint(client: ClientRecord, audience: string, scope: string, cacheKey: string): Promise<IssuedToken> {
    const key = this.rowKey(cacheKey);
    await this.signingKeys.ready();
    const stored = await this.repository.find(client.environmentId, key);
    const storedToken = stored && this.stillReusable(client, stored.expires_at, stored.kid) ? this.fromRow(stored) : null;
    if (storedToken) return this.remember(client, audience, storedToken);

    const minted = await this.mint(client, audience, scope);
    const row: ReusableTokenRow = {
      cache_key: key,
      environment_id: client.environmentId,
      integration_id: client.integrationId,
      jti: minted.jti,
      kid: minted.kid,
      token: this.keyring.encrypt('token-cache', minted.token, key),
      master_key_id: this.keyring.id,
      scope,
      issued_at: Math.floor(this.clock.now() / 1000),
      expires_at: minted.expiresAt,
    };
    if (stored) await this.repository.replace(client.environmentId, stored.jti, row);
    let winner = await this.repository.find(client.environmentId, key);
    if (!winner) {
      // No row, or the stale one was swept between our read and our replace: insert instead.
      await this.repository.insertIfAbsent(row);
      winner = await this.repository.find(client.environmentId, key);
      await this.repository.trim(client.environmentId, client.integrationId, MAX_REUSABLE_ROWS_PER_INTEGRATION);
    }
    // Another process may have won the race: everyone hands out the row's token.
    const theirs = winner && winner.jti !== minted.jti && this.stillReusable(client, winner.expires_at, winner.kid) ? this.fromRow(winner) : null;
    const chosen = theirs ?? minted;
    return this.remember(client, audience, chosen);
  }

  private async mint(client: ClientRecord, audience: string, scope: string): Promise<IssuedToken> {
    const key = await this.signingKeys.signer();
    const now = Math.floor(this.clock.now() / 1000);
    // Tokens minted after "revoke all" must not be caught by it: iat ≥ tokensNotBefore (SPEC §2).
    const iat = Math.max(now, client.tokensNotBefore ?? 0);
    const exp = iat + client.tokenTtlSeconds;
    const jti = newJti();
    // RFC 9068 §2.2 claims, plus Latchkey's environment and integration ids.
    const token = await signJwt(key, {
      iss: this.issuer,
      sub: client.clientId,
      aud: audience,
      exp,
      iat,
      jti,
      client_id: client.clientId,
      azp: client.clientId,
      scope,
      gty: 'client-credentials',
      environment: client.environmentId,
      integration_id: client.integrationId,
    });
    const issued = new IssuedToken(token, jti, key.kid, scope, exp);
    issued.fresh = true;
    return issued;
  }

  /**
   * More than the reuse window of its life left, signed by a live key, and no longer-lived than
   * the environment's TTL now allows (a shortened TTL must not be outlived by a reused token;
   * one second of slack covers an `iat` pushed up to `tokensNotBefore`).
   */
  private stillReusable(client: ClientRecord, expiresAt: number, kid: string): boolean {
    const remainingMs = expiresAt * 1000 - this.clock.now();
    return (
      remainingMs > client.tokenReuseWindowSeconds * 1000 &&
      remainingMs <= (client.tokenTtlSeconds + 1) * 1000 &&
      this.signingKeys.isLive(kid)
    );
  }

  /** The row's token, or null when it cannot be decrypted (then it is replaced like a stale one). */
  private fromRow(row: ReusableTokenRow): IssuedToken | null {
    try {
      const token = this.keyring.decrypt('token-cache', row.token, row.cache_key).toString();
      return new IssuedToken(token, row.jti, row.kid, row.scope, row.expires_at);
    } catch {
      return null;
    }
  }

  private remember(client: ClientRecord, audience: string, token: IssuedToken): IssuedToken {
    // Only while this process's view is current: a stale view must not seed the cache.
    if (this.feed.isFresh()) {
      let byScope = client.reusable.get(audience);
      if (!byScope) client.reusable.set(audience, (byScope = new Map()));
      // A client asking for ever new scope subsets must not grow memory without bound.
      if (byScope.size >= MAX_SCOPE_SETS_PER_AUDIENCE) byScope.clear();
      byScope.set(token.scope, token);
    }
    return token;
  }

  /** integration, generation, audience and scope set: a new generation starts reuse over. */
  private cacheKey(client: ClientRecord, audience: string, scope: string): string {
    // TTL and window too: a request after a settings change must not join a mint made under the old ones.
    return `${client.integrationId}\n${client.generation}\n${client.tokenTtlSeconds}/${client.tokenReuseWindowSeconds}\n${audience}\n${scope}`;
  }

  /** The row key: the cache key hashed to a fixed length (audiences are long URLs). */
  private rowKey(cacheKey: string): string {
    return createHash('sha256').update(cacheKey).digest('base64url');
  }

  startSweeping(): void {
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => {}), 60_000);
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    await this.repository.deleteExpired(this.clock.now());
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }
}
