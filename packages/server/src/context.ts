import type { Config } from './config.ts';
import { openDatabase, withStartupLock, type DatabaseHandle } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { ChangeFeed, type ChangeFeedOptions } from './infra/change-feed.ts';
import { systemClock, type Clock } from './infra/clock.ts';
import type { Keyring } from './infra/keyring.ts';
import { loadKeyring } from './infra/master-key.ts';
import { EnvironmentsService } from './modules/environments/environments.service.ts';
import { IntegrationsService } from './modules/integrations/integrations.service.ts';
import { SigningKeysService } from './modules/keys/signing-keys.service.ts';

export interface ContextDeps {
  /** A server adopts LATCHKEY_SIGNING_ALG at start (a rotation); the CLI never changes it. */
  adoptSigningAlg?: boolean;
  database?: DatabaseHandle;
  keyring?: Keyring;
  clock?: Clock;
  feed?: ChangeFeedOptions;
}

/** Everything that knows the rules, free of HTTP: shared by the server and the CLI. */
export interface Context {
  config: Readonly<Config>;
  database: DatabaseHandle;
  keyring: Keyring;
  clock: Clock;
  feed: ChangeFeed;
  environments: EnvironmentsService;
  integrations: IntegrationsService;
  signingKeys: SigningKeysService;
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

/**
 * Opens the database, and under the startup lock migrates it, checks the master key against the
 * database's key-check value and makes sure a signing key exists.
 */
export async function createContext(config: Readonly<Config>, deps: ContextDeps = {}): Promise<Context> {
  const clock = deps.clock ?? systemClock;
  const keyring = deps.keyring ?? loadKeyring(config);
  const database = deps.database ?? openDatabase(config.database);
  const feed = new ChangeFeed(database.db, clock, deps.feed);
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
  return {
    config,
    database,
    keyring,
    clock,
    feed,
    environments: new EnvironmentsService(database.db, clock, feed),
    integrations: new IntegrationsService(database.db, keyring, clock, feed),
    signingKeys,
    close: async () => {
      await feed.stop();
      if (!deps.database) await database.close();
    },
  };
}
