import type { FileStore } from '../../infra/file-store/index.ts';
import type { FontUploadsService } from '../fonts/font-uploads.service.ts';
import type { MediaRepository } from './media.repository.ts';

/** Temporaries older than this were abandoned (a crash, a kill): uploads never take this long. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;
export const MAINTENANCE_EVERY_MS = 5 * 60 * 1000;

export interface MaintenanceReport {
  temporaries: number;
  expiredBatches: number;
  orphanScopes: string[];
}

/**
 * Background housekeeping of stored files, on every node (each step is safe to run twice):
 * temporaries a crash left behind, font upload batches past their hour, and the files of
 * environments that no longer exist (deleting an environment deletes its rows by foreign key;
 * its bytes go here, in the background, rather than inside that one big transaction).
 */
export class FileMaintenance {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<MaintenanceReport> | null = null;

  constructor(
    private readonly store: FileStore,
    private readonly media: MediaRepository,
    private readonly fontUploads: FontUploadsService,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(everyMs = MAINTENANCE_EVERY_MS): void {
    if (this.timer) return;
    const tick = () => void this.run().catch(this.onError);
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }

  /** One pass (tests call it directly, with the clock moved on). */
  run(): Promise<MaintenanceReport> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<MaintenanceReport> {
    const temporaries = await this.store.sweep(ABANDONED_AFTER_MS);
    const expiredBatches = await this.fontUploads.sweepExpired();
    const scopes = await this.store.scopes();
    const existing = await this.media.existingEnvironments(scopes);
    const orphanScopes = scopes.filter((scope) => !existing.has(scope));
    for (const scope of orphanScopes) await this.store.deletePrefix(`${scope}/`);
    return { temporaries, expiredBatches, orphanScopes };
  }
}
