import sharp from 'sharp';

/**
 * Image work (checking uploads, generating previews) runs a bounded number of jobs at a time, each
 * with one libvips thread, so a burst of uploads queues here instead of taking every core from
 * the token endpoint (SPEC §7). sharp's operation cache is off: every image is read once, and a
 * cache would only hold memory.
 */
export function configureSharp(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

/** At most `concurrency` tasks at a time; the rest wait in order (`urgent` ones first). */
export class WorkLimiter {
  private running = 0;
  private readonly urgent: Array<() => void> = [];
  private readonly background: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  /**
   * Runs `task` when a slot is free. Urgent tasks (a client waiting on its upload) go ahead of
   * background ones (previews).
   *
   * @example const meta = await limiter.run(() => sharp(file).metadata(), { urgent: true });
   */
  async run<T>(task: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    if (this.running >= this.concurrency) {
      await new Promise<void>((resolve) => (options.urgent ? this.urgent : this.background).push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.urgent.shift() ?? this.background.shift();
      // The slot passes straight to the next waiter; only when nobody waits is it freed.
      if (next) next();
      else this.running--;
    }
  }
}
