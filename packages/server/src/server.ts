import cluster from 'node:cluster';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { createContext } from './context.ts';

export interface ServeOptions {
  /** Worker processes sharing the port (`serve --workers N`); 1 runs in this process. */
  workers?: number;
}

/** Listens, and closes gracefully on SIGTERM/SIGINT: in-flight requests finish, batches flush. */
export async function serve(config: Readonly<Config>, options: ServeOptions = {}): Promise<void> {
  const workers = options.workers ?? 1;
  if (workers > 1 && cluster.isPrimary) {
    // Migrate and create keys once before the workers start (they would wait on the lock anyway).
    const context = await createContext(config);
    await context.close();
    for (let i = 0; i < workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      console.error(`latchkey: worker ${worker.process.pid} exited (${code}); starting another`);
      cluster.fork();
    });
    const stop = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    console.log(`latchkey: ${workers} workers serving ${config.issuer} on ${config.host}:${config.port}`);
    return;
  }

  const { fastify } = await buildApp(config);
  const close = async (signal: string) => {
    fastify.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await fastify.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  await fastify.listen({ port: config.port, host: config.host });
  if (cluster.isPrimary) {
    console.log(`latchkey: serving ${config.issuer} (token endpoint ${config.issuer}/oauth/token) on ${config.host}:${config.port}`);
  }
}
