import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { MAX_TOKEN_TTL_SECONDS } from '@latchkey/contract';
import type { SigningAlg } from '../../config.ts';
import type { Db, DbOrTrx } from '../../db/database.ts';
import { recordChange, type ChangeFeed } from '../../infra/change-feed.ts';
import type { Clock } from '../../infra/clock.ts';
import { newKid } from '../../infra/ids.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { encodeHeader, type SigningKey } from './jwt.ts';
import { SigningKeysRepository, type SigningKeyRow } from './signing-keys.repository.ts';

/** How long verifiers may cache the JWKS; a new key signs only after this much time (SPEC §2). */
export const JWKS_MAX_AGE_SECONDS = 300;

function generate(alg: SigningAlg): { privatePem: string; publicJwk: JsonWebKey } {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return {
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk: pair.publicKey.export({ format: 'jwk' }),
  };
}

export interface PublishedKey {
  kid: string;
  alg: SigningAlg;
  jwk: JsonWebKey;
  activatesAt: number;
  retiresAt: number | null;
}

export interface RotationResult {
  kid: string;
  alg: SigningAlg;
  activatesAt: string;
  retired: Array<{ kid: string; retiresAt: string; unpublishAt: string; revoked: boolean }>;
}

/**
 * Signing keys: generated on first start, stored encrypted under a subkey of the master key,
 * published in the JWKS, rotated without breaking a live token.
 */
export class SigningKeysService {
  private keys: SigningKeyRow[] = [];
  private readonly decrypted = new Map<string, SigningKey>();
  private readonly publicKeys = new Map<string, { alg: SigningAlg; key: KeyObject; unpublishAt: number | null }>();
  /** Bumped whenever the key set in memory changes or goes stale: verified-token caches follow it. */
  private generation = 0;
  private jwksBody: string | null = null;
  private loading: Promise<void> | null = null;
  private dirtyVersion = 0;
  private cleanVersion = 0;
  private prepared: { alg: SigningAlg; privatePem: string; publicJwk: JsonWebKey } | null = null;

  constructor(
    private readonly db: Db,
    /** Runs work under the database-wide lock, so concurrent rotations queue instead of failing. */
    private readonly exclusive: <T>(work: (trx: DbOrTrx) => Promise<T>) => Promise<T>,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly alg: SigningAlg,
    private readonly feed: ChangeFeed | null,
  ) {}

  /**
   * Whether `ensureKey` will have to create a key: read without the lock, so the (slow) key
   * generation can happen before the lock is taken and no other process waits on it.
   */
  async needsKey(adoptConfiguredAlg: boolean): Promise<boolean> {
    return this.keyNeeded(await new SigningKeysRepository(this.db).live(this.clock.now()), adoptConfiguredAlg) !== null;
  }

  /** `first` when no key exists; `rotate` when a server must adopt the configured algorithm. */
  private keyNeeded(live: SigningKeyRow[], adoptConfiguredAlg: boolean): 'first' | 'rotate' | null {
    if (live.length === 0) return 'first';
    if (!adoptConfiguredAlg || live.some((key) => key.alg === this.alg && key.retires_at == null)) return null;
    return 'rotate';
  }

  /** Generates the next key's material now, outside any lock; `newKeyRow` uses it. */
  prepareKey(alg: SigningAlg = this.alg): void {
    if (this.prepared?.alg !== alg) this.prepared = { alg, ...generate(alg) };
  }

  /**
   * Run under the startup lock. Every process makes sure a first key exists; a server
   * (`adoptConfiguredAlg`) also rotates to the configured LATCHKEY_SIGNING_ALG when the current
   * key has another algorithm. Other processes (the CLI) never change the algorithm.
   */
  async ensureKey(trx: DbOrTrx, adoptConfiguredAlg: boolean): Promise<void> {
    const repository = new SigningKeysRepository(trx);
    const now = this.clock.now();
    const needed = this.keyNeeded(await repository.live(now), adoptConfiguredAlg);
    // The first key signs at once; adopting another algorithm is a planned rotation.
    if (needed === 'first') await repository.insert(this.newKeyRow(this.alg, now, now));
    else if (needed === 'rotate') await this.rotateWith(repository, trx, now, false, this.alg);
  }

  /**
   * Keys changed elsewhere (the change feed said so): until a reload succeeds, no key counts as
   * live, so no token signed by a key revoked meanwhile is handed out, however long that takes.
   */
  markDirty(): void {
    this.dirtyVersion++;
    this.generation++;
    void this.load().catch(() => {});
  }

  /** Resolves once the keys in memory are current (reloading, and retrying, if they are not). */
  async ready(): Promise<void> {
    if (this.loading) await this.loading.catch(() => {});
    if (this.dirtyVersion !== this.cleanVersion) await this.load();
  }

  /** Loads the live keys (at start and whenever the change feed says keys changed). */
  load(): Promise<void> {
    const version = this.dirtyVersion;
    const loading = new SigningKeysRepository(this.db)
      .live(this.clock.now())
      .then((keys) => {
        this.keys = keys;
        this.jwksBody = null;
        this.cleanVersion = version;
        this.publicKeys.clear();
        this.generation++;
      })
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    this.loading = loading;
    return loading;
  }

  /** The key that signs now: the newest active one. */
  async signer(): Promise<SigningKey> {
    // Keys are being reloaded (a rotation elsewhere): a revoked key must not sign meanwhile.
    await this.ready();
    const now = this.clock.now();
    let chosen: SigningKeyRow | undefined;
    for (const key of this.keys) {
      if (key.activates_at > now || (key.retires_at != null && key.retires_at <= now)) continue;
      if (!chosen || key.activates_at > chosen.activates_at) chosen = key;
    }
    if (!chosen) {
      // Keys were rotated in another process and this one has not seen it yet.
      await this.load();
      chosen = this.keys.filter((key) => key.activates_at <= now).at(-1);
      if (!chosen) throw new Error('no signing key is active');
    }
    let key = this.decrypted.get(chosen.kid);
    if (!key) {
      const pem = this.keyring.decrypt('signing-key', chosen.private_key, chosen.kid).toString();
      key = { kid: chosen.kid, alg: chosen.alg as SigningAlg, privateKey: createPrivateKey(pem), encodedHeader: encodeHeader(chosen.alg as SigningAlg, chosen.kid) };
      this.decrypted.set(chosen.kid, key);
    }
    return key;
  }

  /** True while tokens signed by `kid` are still good (published, not revoked). */
  isLive(kid: string): boolean {
    if (this.dirtyVersion !== this.cleanVersion) return false;
    const now = this.clock.now();
    return this.keys.some((key) => key.kid === kid && (key.unpublish_at == null || key.unpublish_at > now));
  }

  /** Changes whenever keys change: a token verified under an older generation is verified again. */
  keysGeneration(): number {
    return this.generation;
  }

  /**
   * The public key a token's `kid` names, with that key's own algorithm (SPEC §4: never an
   * algorithm taken from the token's header alone). Only published, unrevoked keys; none while the
   * key set is being reloaded (a key revoked elsewhere must not verify meanwhile).
   */
  verificationKey(kid: string): { alg: SigningAlg; key: KeyObject } | undefined {
    if (this.dirtyVersion !== this.cleanVersion) return undefined;
    const now = this.clock.now();
    let found = this.publicKeys.get(kid);
    if (found) return found.unpublishAt == null || found.unpublishAt > now ? found : undefined;
    const row = this.keys.find((key) => key.kid === kid && (key.unpublish_at == null || key.unpublish_at > now));
    if (!row) return undefined;
    found = { alg: row.alg as SigningAlg, key: createPublicKey({ key: JSON.parse(row.public_jwk) as JsonWebKey, format: 'jwk' }), unpublishAt: row.unpublish_at };
    this.publicKeys.set(kid, found);
    return found;
  }

  published(): PublishedKey[] {
    const now = this.clock.now();
    return this.keys
      .filter((key) => key.unpublish_at == null || key.unpublish_at > now)
      .map((key) => ({
        kid: key.kid,
        alg: key.alg as SigningAlg,
        jwk: JSON.parse(key.public_jwk) as JsonWebKey,
        activatesAt: key.activates_at,
        retiresAt: key.retires_at,
      }));
  }

  /** The JWKS document, rebuilt only when the key set changes. */
  jwks(): string {
    if (this.jwksBody === null || this.keys.some((key) => key.unpublish_at != null && key.unpublish_at <= this.clock.now())) {
      this.jwksBody = JSON.stringify({
        keys: this.published().map(({ kid, alg, jwk }) => ({ ...jwk, kid, alg, use: 'sig' })),
      });
    }
    return this.jwksBody;
  }

  /**
   * `latchkey keys rotate`: the new key is published at once and signs after one JWKS max-age;
   * the old one signs until then and stays published until every token it signed has expired.
   * With `emergency`, the old key is revoked now and its tokens die with it.
   */
  async rotate(options: { emergency?: boolean; alg?: SigningAlg } = {}): Promise<RotationResult> {
    // Keep the algorithm in use unless told otherwise: a CLI without LATCHKEY_SIGNING_ALG set
    // must not switch a deployment's algorithm behind its back.
    await this.load();
    const current = this.keys.filter((key) => key.retires_at == null).at(-1);
    const alg = options.alg ?? (current?.alg as SigningAlg | undefined) ?? this.alg;
    this.prepareKey(alg);
    const now = this.clock.now();
    const result = await this.exclusive((trx) => this.rotateWith(new SigningKeysRepository(trx), trx, now, options.emergency ?? false, alg));
    this.feed?.publishLocal({ kind: 'keys', environmentId: '*', entityId: '*' });
    await this.load();
    return result;
  }

  private async rotateWith(repository: SigningKeysRepository, trx: DbOrTrx, now: number, emergency: boolean, alg: SigningAlg): Promise<RotationResult> {
    const live = await repository.live(now);
    const activatesAt = emergency ? now : now + JWKS_MAX_AGE_SECONDS * 1000;
    const row = this.newKeyRow(alg, now, activatesAt);
    await repository.insert(row);
    const retired: RotationResult['retired'] = [];
    for (const key of live) {
      if (emergency) {
        await repository.retire(key.kid, { retires_at: now, unpublish_at: now, revoked_at: now });
        await repository.deleteReusableTokensOf(key.kid);
        retired.push({ kid: key.kid, retiresAt: new Date(now).toISOString(), unpublishAt: new Date(now).toISOString(), revoked: true });
      } else if (key.retires_at == null || key.retires_at > activatesAt) {
        // Stays published until the last token it may sign (reused ones included) has expired.
        const unpublishAt = activatesAt + MAX_TOKEN_TTL_SECONDS * 1000 + JWKS_MAX_AGE_SECONDS * 1000;
        await repository.retire(key.kid, { retires_at: activatesAt, unpublish_at: unpublishAt, revoked_at: null });
        retired.push({ kid: key.kid, retiresAt: new Date(activatesAt).toISOString(), unpublishAt: new Date(unpublishAt).toISOString(), revoked: false });
      }
    }
    await recordChange(trx, { kind: 'keys', environmentId: '*', entityId: '*' }, now);
    return { kid: row.kid, alg, activatesAt: new Date(activatesAt).toISOString(), retired };
  }

  private newKeyRow(alg: SigningAlg, now: number, activatesAt: number): SigningKeyRow {
    const kid = newKid();
    const material = this.prepared?.alg === alg ? this.prepared : generate(alg);
    this.prepared = null;
    const { privatePem, publicJwk } = material;
    // The kid is bound as associated data: a ciphertext moved to another row fails to decrypt.
    return {
      kid,
      alg,
      public_jwk: JSON.stringify(publicJwk),
      private_key: this.keyring.encrypt('signing-key', privatePem, kid),
      master_key_id: this.keyring.id,
      created_at: now,
      activates_at: activatesAt,
      retires_at: null,
      unpublish_at: null,
      revoked_at: null,
    };
  }
}

