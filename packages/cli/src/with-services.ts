import { createServices, loadConfig, type Services } from '@latchkey/server';

/** Commands that act on the configured database open it, do their work and close it. */
export async function withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
  const services = await createServices(loadConfig());
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}
