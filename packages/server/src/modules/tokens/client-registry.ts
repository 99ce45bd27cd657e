import type { Scope } from '@latchkey/contract';
import type { IssuedToken } from './token-issuer.ts';
import type { Db } from '../../db/database.ts';
import type { Change, ChangeFeed } from '../../infra/change-feed.ts';
import { IntegrationsRepository } from '../integrations/integrations.repository.ts';

export interface CachedSecret {
  id: string;
  /** HMAC-SHA-256 of the secret, as stored, in bytes for `timingSafeEqual`. */
  hash: Buffer;
  expiresAt: number | null;
  /**
   * The secret that last matched `hash`, kept only in this process's memory while the record is
   * cached, so a busy client costs a constant-time compare instead of an HMAC per request.
   * Whoever can read this process's memory holds the master key anyway.
   */
  verified: Buffer | null;
}

const MAX_UNKNOWN = 50_000;

/** What the token endpoint needs to know about a client, held in memory. */
export interface ClientRecord {
  integrationId: string;
  environmentId: string;
  clientId: string;
  scopes: readonly Scope[];
  /** `scopes` joined by spaces, once. */
  scope: string;
  disabled: boolean;
  /** Tokens with write or output scopes are accepted on browser requests (SPEC §4). */
  allowBrowserWrites: boolean;
  /** Epoch seconds or null. */
  tokensNotBefore: number | null;
  generation: number;
  secrets: ReadonlyArray<CachedSecret>;
  tokenTtlSeconds: number;
  tokenReuseWindowSeconds: number;
  /**
   * Reusable tokens by audience, then scope string. They live on the record, so whatever drops
   * the record (any change to the integration or its environment) drops its tokens with it.
   */
  reusable: Map<string, Map<string, IssuedToken>>;
  /** Set when a change made this record stale: a request still holding it starts over. */
  invalidated: boolean;
}

/**
 * Integrations by client id, cached in memory and dropped when the change feed says they changed
 * (here or in any other process). While the feed is behind, every lookup reads the database.
 */
export class ClientRegistry {
  private readonly records = new Map<string, ClientRecord>();
  private readonly unknown = new Set<string>();
  private readonly loading = new Map<string, Promise<ClientRecord | undefined>>();
  /** Bumped by every invalidation: a load that raced one is not cached. */
  private epoch = 0;
  private readonly repository: IntegrationsRepository;

  constructor(
    db: Db,
    private readonly feed: ChangeFeed,
  ) {
    this.repository = new IntegrationsRepository(db);
    feed.onChange((change) => this.invalidate(change));
  }

  /** Synchronous when cached: the hot path of a reused token awaits nothing here. */
  get(clientId: string): ClientRecord | undefined | Promise<ClientRecord | undefined> {
    if (this.feed.isFresh()) {
      const cached = this.records.get(clientId);
      if (cached) return cached;
      // Unknown ids are remembered too: answering them from memory like known ones tells nothing
      // through timing, and a flood of made-up ids does not reach the database.
      if (this.unknown.has(clientId)) return undefined;
    }
    let pending = this.loading.get(clientId);
    if (!pending) {
      const load: Promise<ClientRecord | undefined> = this.load(clientId).finally(() => {
        // An invalidation may have started a newer load meanwhile: leave that one in place.
        if (this.loading.get(clientId) === load) this.loading.delete(clientId);
      });
      this.loading.set(clientId, (pending = load));
    }
    return pending;
  }

  private async load(clientId: string): Promise<ClientRecord | undefined> {
    const epoch = this.epoch;
    const found = await this.repository.findForAuthentication(clientId);
    if (!found) {
      if (epoch === this.epoch) {
        if (this.unknown.size >= MAX_UNKNOWN) this.unknown.clear();
        this.unknown.add(clientId);
      }
      return undefined;
    }
    const { integration, environment, secrets } = found;
    const record: ClientRecord = {
      integrationId: integration.id,
      environmentId: integration.environment_id,
      clientId: integration.client_id,
      scopes: integration.scopes ? (integration.scopes.split(' ') as Scope[]) : [],
      scope: integration.scopes,
      disabled: integration.disabled === 1,
      allowBrowserWrites: integration.allow_browser_writes === 1,
      tokensNotBefore: integration.tokens_not_before,
      generation: integration.token_generation,
      secrets: secrets.map((secret) => ({ id: secret.id, hash: Buffer.from(secret.secret_hash, 'base64url'), expiresAt: secret.expires_at, verified: null })),
      tokenTtlSeconds: environment.token_ttl_seconds,
      tokenReuseWindowSeconds: environment.token_reuse_window_seconds,
      reusable: new Map(),
      invalidated: false,
    };
    // A change landed while this was read: the caller must not act on it (it will read again).
    if (epoch === this.epoch) this.records.set(clientId, record);
    else record.invalidated = true;
    return record;
  }

  private invalidate(change: Change): void {
    this.epoch++;
    // A load already under way may have read the old row: later callers must not join it.
    if (change.kind === 'integration') {
      // Creating an integration records a change under its new client id.
      this.unknown.delete(change.entityId);
      const record = this.records.get(change.entityId);
      if (record) record.invalidated = true;
      this.records.delete(change.entityId);
      this.loading.delete(change.entityId);
    } else if (change.kind === 'environment') {
      this.loading.clear();
      for (const [clientId, record] of this.records) {
        if (record.environmentId !== change.environmentId) continue;
        record.invalidated = true;
        this.records.delete(clientId);
      }
    }
  }
}
