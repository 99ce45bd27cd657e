import type { Db } from '../../db/database.ts';
import { IntegrationsRepository } from './integrations.repository.ts';

const CHUNK = 50;

/**
 * Collects each secret's last use and writes them in batches: the token endpoint never waits on
 * a write, and a busy secret costs one UPDATE per interval, not one per request (SPEC §1).
 */
export class LastUsedRecorder {
  private pending = new Map<string, { environmentId: string; secretId: string; at: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly intervalMs = 5000,
  ) {}

  record(environmentId: string, secretId: string, at: number): void {
    const entry = this.pending.get(secretId);
    if (entry) entry.at = at;
    else this.pending.set(secretId, { environmentId, secretId, at });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    // better-sqlite3 is synchronous: small transactions with a turn of the event loop between
    // them keep any one pause to about a millisecond, even with 10,000 secrets to write.
    for (let start = 0; start < batch.length; start += CHUNK) {
      const chunk = batch.slice(start, start + CHUNK);
      await this.db.transaction().execute((trx) => new IntegrationsRepository(trx).touchSecrets(chunk));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush().catch(() => {});
  }
}
