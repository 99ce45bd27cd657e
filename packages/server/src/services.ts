import type { Config } from './config.ts';
import { openDatabase, withStartupLock, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { UnitOfWork } from './db/unit-of-work.ts';
import { ChangeFeed, type ChangeFeedOptions } from './infra/change-feed.ts';
import { DatabaseHealth } from './infra/database-health.ts';
import { systemClock, type Clock } from './infra/clock.ts';
import type { Keyring } from './infra/keyring.ts';
import { loadKeyring } from './infra/master-key.ts';
import { RevokedTokensRepository } from './modules/access-tokens/revoked-tokens.repository.ts';
import { TokenRevocationService } from './modules/access-tokens/token-revocation.service.ts';
import { AccessTokenVerifier } from './modules/access-tokens/verify-access-token.ts';
import { createContentServices, type ContentServices } from './modules/content/content-services.ts';
import { EnvironmentsService } from './modules/environments/environments.service.ts';
import { createManagementServices, type ManagementServices } from './modules/management/management-services.ts';
import { IntegrationsService } from './modules/integrations/integrations.service.ts';
import { LastUsedRecorder } from './modules/integrations/last-used.ts';
import { SigningKeysService } from './modules/keys/signing-keys.service.ts';
import { ClientAuthentication, type ClientAuthenticationLimits } from './modules/oauth/client-authentication.ts';
import { ClientRegistry } from './modules/tokens/client-registry.ts';
import { TokenIssuer } from './modules/tokens/token-issuer.ts';
import { TokenService } from './modules/tokens/token.service.ts';

export interface ServicesDeps {
  /** A server adopts LATCHKEY_SIGNING_ALG at start (a rotation); the CLI never changes it. */
  adoptSigningAlg?: boolean;
  database?: DatabaseHandle;
  keyring?: Keyring;
  clock?: Clock;
  feed?: ChangeFeedOptions;
  limits?: ClientAuthenticationLimits;
  lastUsedFlushMs?: number;
}

/** Everything that knows the rules, free of HTTP: built once, used by the server, the CLI and tests. */
export interface Services {
  config: Readonly<Config>;
  database: DatabaseHandle;
  keyring: Keyring;
  clock: Clock;
  feed: ChangeFeed;
  health: DatabaseHealth;
  unitOfWork: UnitOfWork;
  environments: EnvironmentsService;
  integrations: IntegrationsService;
  signingKeys: SigningKeysService;
  lastUsed: LastUsedRecorder;
  registry: ClientRegistry;
  clientAuthentication: ClientAuthentication;
  tokenService: TokenService;
  issuer: TokenIssuer;
  accessTokens: AccessTokenVerifier;
  revocation: TokenRevocationService;
  content: ContentServices;
  /** People, sessions, personal access tokens, audit reads and activity (the management API). */
  management: ManagementServices;
  /** Starts background work (change feed polling, batched writes, sweeps): servers only. */
  start(): Promise<void>;
  /** Stops background work, flushes batches and closes what createServices opened. */
  close(): Promise<void>;
}

export class MasterKeyMismatchError extends Error {
  constructor() {
    super(
      'The master key does not match this database: every stored secret and key was sealed with another one. ' +
        'Set LATCHKEY_MASTER_KEY (or restore <data dir>/master.key) to the key this database was created with.',
    );
    this.name = 'MasterKeyMismatchError';
  }
}

const SWEEP_EVERY_MS = 60_000;

/**
 * The one place services are built (STYLE). Opens the database, and under the startup lock
 * migrates it, checks the master key against the database's key-check value and makes sure a
 * signing key exists; then wires repositories → services explicitly.
 */
export async function createServices(config: Readonly<Config>, deps: ServicesDeps = {}): Promise<Services> {
  const clock = deps.clock ?? systemClock;
  const keyring = deps.keyring ?? loadKeyring(config);
  const database = deps.database ?? openDatabase(config.database);
  const health = new DatabaseHealth();
  const feed = new ChangeFeed(database.db, clock, { ...deps.feed, health });
  const signingKeys = new SigningKeysService(database.db, (work) => withStartupLock(database, work), keyring, clock, config.signingAlg, feed);
  try {
    // Key generation takes up to a few hundred ms: never while holding the database lock.
    const adopt = deps.adoptSigningAlg ?? false;
    if (await signingKeys.needsKey(adopt).catch(() => true)) signingKeys.prepareKey();
    await withStartupLock(database, async (trx) => {
      await migrate(trx, database, clock.now());
      const stored = await trx.selectFrom('latchkey_meta').select('value').where('key', '=', 'key_check').executeTakeFirst();
      if (!stored) await trx.insertInto('latchkey_meta').values({ key: 'key_check', value: keyring.checkValue() }).execute();
      else if (stored.value !== keyring.checkValue()) throw new MasterKeyMismatchError();
      await signingKeys.ensureKey(trx, adopt);
    });
    // The feed's cursor is read before the keys: a rotation committed in between is not missed.
    await feed.readCursor();
    await signingKeys.load();
  } catch (error) {
    if (!deps.database) await database.close();
    throw error;
  }
  feed.onChange((change) => {
    if (change.kind === 'keys') signingKeys.markDirty();
  });

  const db = database.db;
  const unitOfWork = new UnitOfWork(db, clock, feed);
  const lastUsed = new LastUsedRecorder(db, deps.lastUsedFlushMs);
  const registry = new ClientRegistry(db, feed);
  const issuer = new TokenIssuer(db, keyring, clock, signingKeys, feed, config.issuer);
  const accessTokens = new AccessTokenVerifier(db, registry, signingKeys, feed, clock, config.issuer, config.audiences);
  const revokedTokens = new RevokedTokensRepository(db);
  let sweepTimer: NodeJS.Timeout | null = null;
  let started = false;
  const environments = new EnvironmentsService(db, clock, unitOfWork);
  const integrations = new IntegrationsService(db, keyring, clock, unitOfWork);
  const management = createManagementServices({ db, dialect: database.dialect, clock, keyring, unitOfWork, config, environments, integrations });

  return {
    config,
    database,
    keyring,
    clock,
    feed,
    health,
    unitOfWork,
    environments,
    integrations,
    signingKeys,
    lastUsed,
    registry,
    clientAuthentication: new ClientAuthentication(registry, keyring, clock, lastUsed, deps.limits),
    tokenService: new TokenService({ audiences: config.audiences }),
    issuer,
    accessTokens,
    revocation: new TokenRevocationService(accessTokens, unitOfWork, clock),
    content: createContentServices({ db, dialect: database.dialect, clock, unitOfWork, issuer: config.issuer, config, feed }),
    management,
    async start() {
      started = true;
      management.start();
      await feed.start();
      lastUsed.start();
      issuer.startSweeping();
      sweepTimer = setInterval(() => void revokedTokens.deleteExpired(Math.floor(clock.now() / 1000)).catch(() => {}), SWEEP_EVERY_MS);
      sweepTimer.unref();
    },
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      if (started) {
        issuer.stop();
        await lastUsed.stop();
        await management.stop();
      }
      await feed.stop();
      if (!deps.database) await database.close();
    },
  };
}
