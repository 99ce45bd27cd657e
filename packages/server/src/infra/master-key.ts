import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { Keyring } from './keyring.ts';

/**
 * The master key: given (LATCHKEY_MASTER_KEY), or for SQLite generated once into the data dir
 * with mode 0600. PostgreSQL deployments share one key across nodes, so config demands it there.
 */
export function loadKeyring(config: Pick<Config, 'masterKey' | 'dataDir' | 'database'>): Keyring {
  if (config.masterKey) return new Keyring(Buffer.from(config.masterKey, 'base64'));
  if (config.database.kind !== 'sqlite') throw new Error('LATCHKEY_MASTER_KEY is required with PostgreSQL');
  const file = path.join(config.dataDir, 'master.key');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) {
    // Written aside, then linked into place: a process starting at the same moment sees either
    // no file or a whole one, and exactly one key wins.
    const pending = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(pending, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    try {
      linkSync(pending, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(pending);
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a base64 32-byte key`);
  return new Keyring(key);
}
