import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../../errors.ts';
import { RECLAIM_EVERY_BYTES, reclaimStreamGarbage } from './reclaim.ts';

/** The refusal of anything over a byte limit (HTTP 413). */
export const tooLarge = (maxBytes: number): AppError =>
  new AppError('payload_too_large', `The file is larger than the limit of ${formatBytes(maxBytes)} (${maxBytes} bytes).`, {
    // The client may still be sending: end the connection after the answer rather than read on.
    headers: { connection: 'close' },
  });

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export interface MeterOptions {
  maxBytes: number;
  /** Bytes to collect before `onHead` is called (or fewer, at the end of a shorter stream). */
  headBytes?: number;
  /** Sees the first bytes once; throwing refuses the stream (e.g. a type that is not accepted). */
  onHead?: (head: Buffer) => void;
}

/**
 * A pass-through that counts, hashes and limits the bytes flowing through it, and shows the first
 * few to a callback (type sniffing) before letting more through. Over the limit it fails with
 * `payload_too_large` at once: nothing beyond the limit is ever read on.
 */
export class Meter extends Transform {
  size = 0;
  private sinceReclaim = 0;
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] | null;
  private headLength = 0;

  constructor(private readonly options: MeterOptions) {
    super();
    this.head = options.onHead ? [] : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.options.maxBytes) return callback(tooLarge(this.options.maxBytes));
    this.sinceReclaim += chunk.length;
    if (this.sinceReclaim >= RECLAIM_EVERY_BYTES) {
      this.sinceReclaim = 0;
      reclaimStreamGarbage();
    }
    this.hash.update(chunk);
    if (this.head) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < (this.options.headBytes ?? 4096)) return callback();
      const error = this.releaseHead();
      return callback(error);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.head ? this.releaseHead() : null);
  }

  /** Hex SHA-256 of everything that passed (call once, after the end). */
  digest(): string {
    return this.hash.digest('hex');
  }

  private releaseHead(): Error | null {
    const held = Buffer.concat(this.head!);
    this.head = null;
    try {
      this.options.onHead!(held.subarray(0, this.options.headBytes ?? 4096));
    } catch (error) {
      return error as Error;
    }
    this.push(held);
    return null;
  }
}
