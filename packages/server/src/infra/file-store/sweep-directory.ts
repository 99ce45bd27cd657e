import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Removes the files of `directory` last modified before `cutoffMs` (wall-clock epoch ms: file
 * times are wall-clock times); answers how many went. A missing directory has nothing to sweep.
 */
export async function sweepDirectory(directory: string, cutoffMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(directory, name);
    try {
      const info = await stat(file);
      if (info.isFile() && info.mtimeMs < cutoffMs) {
        await unlink(file);
        removed++;
      }
    } catch {
      // Gone meanwhile (its write finished or failed): nothing to do.
    }
  }
  return removed;
}
