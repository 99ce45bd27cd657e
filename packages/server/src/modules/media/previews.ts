import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import { FileMissingError, type FileStore } from '../../infra/file-store/index.ts';
import type { WorkLimiter } from './image-work.ts';
import type { MediaRepository, MediaRow } from './media.repository.ts';
import { PreviewRenderError, renderPreviews } from './preview-generator.ts';
import { GROUPS, type RenditionGroup } from './renditions.ts';
import type { MediaFormat } from './sniff.ts';

export interface PreviewLog {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Where a media item's files live: the original and its previews under one prefix. */
export const mediaPrefix = (environmentId: string, mediaId: string) => `${environmentId}/media/${mediaId}/`;
export const previewKey = (environmentId: string, mediaId: string, rendition: string) => `${mediaPrefix(environmentId, mediaId)}previews/${rendition}`;

/**
 * Generates previews in the background, one job per item and group of renditions, through the
 * shared image limiter (bounded concurrency, SPEC §7). In-process and idempotent: a job queued
 * twice runs once; two nodes generating the same preview both write the same result. A job
 * whose item is deleted meanwhile removes what it wrote. Rendering failures are recorded (the
 * preview then answers 415 instead of 202 for ever); any other failure (storage, database) is
 * logged and the next request for the preview queues it again.
 */
export class PreviewQueue {
  private readonly jobs = new Map<string, Promise<void>>();
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly repository: MediaRepository,
    private readonly store: FileStore,
    private readonly limiter: WorkLimiter,
    private readonly clock: Clock,
    private readonly log: PreviewLog,
  ) {}

  /**
   * Queues the renditions of `group` for an item unless they are queued already.
   *
   * @example previews.enqueue('demo', 'med_…', 'standard');
   */
  enqueue(environmentId: string, mediaId: string, group: RenditionGroup): void {
    if (this.closed) return;
    const key = `${environmentId}/${mediaId}/${group}`;
    if (this.jobs.has(key)) return;
    const job = this.run(environmentId, mediaId, group)
      .catch((error: unknown) => this.log.error({ err: error, mediaId, group }, 'preview generation failed'))
      .finally(() => this.jobs.delete(key));
    this.jobs.set(key, job);
  }

  /** True while a job for the item and group is queued or running on this node. */
  isQueued(environmentId: string, mediaId: string, group: RenditionGroup): boolean {
    return this.jobs.has(`${environmentId}/${mediaId}/${group}`);
  }

  /** Resolves once no job is queued or running (tests await this instead of sleeping). */
  async idle(): Promise<void> {
    while (this.jobs.size > 0) await Promise.allSettled([...this.jobs.values()]);
  }

  /** Holds queued jobs until `resume` (tests use it to observe the 202 state). */
  pause(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  resume(): void {
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
  }

  /** Stops taking jobs, drops those not started and waits for the running ones. */
  async close(): Promise<void> {
    this.closed = true;
    this.resume();
    await this.idle();
  }

  private async run(environmentId: string, mediaId: string, group: RenditionGroup): Promise<void> {
    // Let the caller's request finish first; then wait while paused.
    await Promise.resolve();
    if (this.gate) await this.gate;
    if (this.closed) return;
    await this.limiter.run(async () => {
      if (this.closed) return;
      const media = await this.repository.find(environmentId, mediaId);
      if (!media) return;
      const renditions = GROUPS[group];
      let outputs;
      try {
        outputs = await this.withLocalFile(media, (file) => renderPreviews(file, media.format as MediaFormat, renditions));
      } catch (error) {
        if (error instanceof FileMissingError) return; // Deleted meanwhile.
        if (!(error instanceof PreviewRenderError)) throw error;
        this.log.warn({ mediaId, group, reason: error.message }, 'preview cannot be rendered');
        for (const rendition of renditions) {
          await this.save(media, {
            rendition,
            status: 'failed',
            content_type: null,
            file_key: null,
            size: null,
            sha256: null,
            width: null,
            height: null,
            failure: error.message.slice(0, 500),
          });
        }
        return;
      }
      for (const output of outputs) {
        const key = previewKey(environmentId, mediaId, output.rendition);
        const stored = await this.store.put(key, Readable.from([output.bytes]), { maxBytes: Number.MAX_SAFE_INTEGER });
        await this.save(media, {
          rendition: output.rendition,
          status: 'ready',
          content_type: output.contentType,
          file_key: key,
          size: stored.size,
          sha256: stored.sha256,
          width: output.width,
          height: output.height,
          failure: null,
        });
      }
      // Deleted while we worked: its prefix was removed before our files landed. Remove them.
      if (!(await this.repository.find(environmentId, mediaId))) await this.store.deletePrefix(mediaPrefix(environmentId, mediaId));
    });
  }

  private async save(media: MediaRow, fields: Omit<Parameters<MediaRepository['savePreview']>[0], 'media_id' | 'environment_id' | 'created_at'>): Promise<void> {
    try {
      await this.repository.savePreview({ ...fields, media_id: media.id, environment_id: media.environment_id, created_at: this.clock.now() });
    } catch (error) {
      // The item was deleted meanwhile (its row is gone, so the foreign key refuses ours).
      if (await this.repository.find(media.environment_id, media.id)) throw error;
    }
  }

  /** The original as a local file: in place on disk, else copied out of the database for the job. */
  private async withLocalFile<T>(media: MediaRow, work: (file: string) => Promise<T>): Promise<T> {
    const local = this.store.localPath(media.file_key);
    if (local) {
      try {
        return await work(local);
      } catch (error) {
        if (!(await this.store.exists(media.file_key))) throw new FileMissingError(media.file_key);
        throw error;
      }
    }
    await mkdir(this.store.scratchDir, { recursive: true, mode: 0o700 });
    const copy = path.join(this.store.scratchDir, `${randomBase62(20)}.preview`);
    try {
      await pipeline(await this.store.get(media.file_key), createWriteStream(copy, { mode: 0o600 }));
      return await work(copy);
    } finally {
      await rm(copy, { force: true });
    }
  }
}
