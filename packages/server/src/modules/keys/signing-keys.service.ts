import { createPrivateKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
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
  private jwksBody: string | null = null;

  constructor(
    private readonly db: Db,
    /** Runs work under the database-wide lock, so concurrent rotations queue instead of failing. */
    private readonly exclusive: <T>(work: (trx: DbOrTrx) => Promise<T>) => Promise<T>,
    private readonly keyring: Keyring,
    private readonly clock: Clock,
    private readonly alg: SigningAlg,
    private readonly feed: ChangeFeed | null,
  ) {}

  /** Run under the startup lock: makes sure a key of the configured algorithm exists. */
  async ensureKey(trx: DbOrTrx): Promise<void> {
    const repository = new SigningKeysRepository(trx);
    const now = this.clock.now();
    const live = await repository.live(now);
    if (live.some((key) => key.alg === this.alg && key.retires_at == null)) return;
    // First key signs at once; a key for a newly configured algorithm is a rotation.
    if (live.length === 0) await repository.insert(this.newKeyRow(now, now));
    else await this.rotateWith(repository, trx, now, false);
  }

  /** Loads the live keys (at start and whenever the change feed says keys changed). */
  async load(): Promise<void> {
    this.keys = await new SigningKeysRepository(this.db).live(this.clock.now());
    this.jwksBody = null;
  }

  /** The key that signs now: the newest active one. */
  async signer(): Promise<SigningKey> {
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
    const now = this.clock.now();
    return this.keys.some((key) => key.kid === kid && (key.unpublish_at == null || key.unpublish_at > now));
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
  async rotate(options: { emergency?: boolean } = {}): Promise<RotationResult> {
    const now = this.clock.now();
    const result = await this.exclusive((trx) => this.rotateWith(new SigningKeysRepository(trx), trx, now, options.emergency ?? false));
    this.feed?.publishLocal({ kind: 'keys', environmentId: '*', entityId: '*' });
    await this.load();
    return result;
  }

  private async rotateWith(repository: SigningKeysRepository, trx: DbOrTrx, now: number, emergency: boolean): Promise<RotationResult> {
    const live = await repository.live(now);
    const activatesAt = emergency ? now : now + JWKS_MAX_AGE_SECONDS * 1000;
    const row = this.newKeyRow(now, activatesAt);
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
    return { kid: row.kid, alg: this.alg, activatesAt: new Date(activatesAt).toISOString(), retired };
  }

  private newKeyRow(now: number, activatesAt: number): SigningKeyRow {
    const kid = newKid();
    const { privatePem, publicJwk } = generate(this.alg);
    // The kid is bound as associated data: a ciphertext moved to another row fails to decrypt.
    return {
      kid,
      alg: this.alg,
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

