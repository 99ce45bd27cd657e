import { availableParallelism } from 'node:os';
import { loadConfig, serve } from '@latchkey/server';
import { optionalInteger, parse } from '../args.ts';

/** `latchkey serve [--workers N]` (`npm start`). `--workers 0` uses every core. */
export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parse(args, { workers: { type: 'string' } });
  const workers = optionalInteger(values.workers, '--workers') ?? 1;
  await serve(loadConfig(), { workers: workers === 0 ? availableParallelism() : workers });
}
