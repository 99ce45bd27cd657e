import { createContext, loadConfig, type Context } from '@latchkey/server';

/** Commands that act on the configured database open it, do their work and close it. */
export async function withContext<T>(work: (context: Context) => Promise<T>): Promise<T> {
  const context = await createContext(loadConfig());
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
