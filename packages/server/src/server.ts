import cluster, { type Worker } from 'node:cluster';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { createServices, type Services } from './services.ts';

export interface ServeOptions {
  /** Worker processes sharing the port (`serve --workers N`); 1 runs in this process. */
  workers?: number;
}

/** Listens, and closes gracefully on SIGTERM/SIGINT: in-flight requests finish, batches flush. */
export async function serve(config: Readonly<Config>, options: ServeOptions = {}): Promise<void> {
  const workers = options.workers ?? 1;
  if (workers > 1 && cluster.isPrimary) return superviseWorkers(config, workers);

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
    await app.fastify.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A worker that cannot start must end, or the primary would wait on it forever.
    if (cluster.isWorker) {
      console.error(`latchkey: worker ${process.pid} could not start: ${(error as Error).message}`);
      process.exit(1);
    }
    throw error;
  }
  const { fastify } = app;
  const close = async (signal: string) => {
    fastify.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await fastify.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  if (cluster.isPrimary) {
    console.log(`latchkey: serving ${config.issuer} (token endpoint ${config.issuer}/oauth/token) on ${config.host}:${config.port}`);
    await announceSetup(app.services);
  }
}

/**
 * SPEC §3: until an owner exists, every start prints a one-time setup URL (random, single use,
 * 24 h). Printed by the process that prints, never by each worker.
 */
async function announceSetup(services: Services): Promise<void> {
  const setupUrl = await services.management.setup.ensureSetupUrl();
  if (setupUrl) {
    console.log(
      `latchkey: no owner yet: open ${setupUrl} within 24 hours (single use) to create one, ` +
        `or run: printf '%s\\n' "$PASSWORD" | npx latchkey users create --email you@example.com --owner`,
    );
  }
}

/**
 * `serve --workers N`: migrates and creates keys once, then forks N workers on one port. It says
 * it serves only once every worker listens; a worker that dies before listening fails the whole
 * start (exit 1); one that dies later is replaced, with a growing delay if it keeps dying.
 */
async function superviseWorkers(config: Readonly<Config>, workers: number): Promise<void> {
  const services = await createServices(config, { adoptSigningAlg: true });
  await announceSetup(services);
  await services.close();

  let stopping = false;
  let listening = 0;
  let announced = false;
  let recentDeaths = 0;
  const everListened = new WeakSet<Worker>();

  const fork = () => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      everListened.add(worker);
      if (!announced && ++listening === workers) {
        announced = true;
        console.log(`latchkey: ${workers} workers serving ${config.issuer} on ${config.host}:${config.port}`);
      }
    });
  };
  const stop = (code: number) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exitCode = code;
  };

  cluster.on('exit', (worker, code) => {
    if (stopping) return;
    if (!everListened.has(worker)) {
      console.error(`latchkey: a worker failed to start (exit ${code}); stopping`);
      return stop(1);
    }
    recentDeaths++;
    setTimeout(() => recentDeaths--, 60_000).unref();
    const delay = Math.min(30_000, 250 * 2 ** Math.min(recentDeaths, 7));
    console.error(`latchkey: worker ${worker.process.pid} exited (${code}); starting another in ${delay} ms`);
    setTimeout(() => !stopping && fork(), delay);
  });
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  for (let i = 0; i < workers; i++) fork();
}
