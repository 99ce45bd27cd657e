// A real `latchkey serve` for the console's tests: its own SQLite database, the console built
// (when its sources are newer than the build), and the one-time setup URL the server prints.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../packages/server/test/helpers/database.ts';
import { processEnv, REPO_ROOT, startServer, type RunningServer } from '../../packages/server/test/helpers/processes.ts';

const CONSOLE = path.join(REPO_ROOT, 'packages/console');
const DIST_INDEX = path.join(CONSOLE, 'dist/index.html');
const SETUP_URL = /(https?:\/\/\S+\/console\/setup\?token=[^\s"']+)/;

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(full) : stat.mtimeMs);
  }
  return newest;
}

/** `npm run build --workspace packages/console`, unless dist is newer than every source file. */
export function ensureConsoleBuilt(): void {
  const sources = Math.max(newestSource(path.join(CONSOLE, 'src')), statSync(path.join(CONSOLE, 'index.html')).mtimeMs, statSync(path.join(CONSOLE, 'vite.config.ts')).mtimeMs);
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= sources) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build', '--workspace', 'packages/console'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the console did not build:\n${result.stdout}\n${result.stderr}`);
}

export interface ConsoleServer {
  server: RunningServer;
  database: TestDatabase;
  env: Record<string, string>;
  /** The one-time setup URL, as printed by the server at start. */
  setupUrl: string;
  stop(): Promise<void>;
}

/** Waits for the setup URL in the server's output (printed at start while no owner exists). */
async function printedSetupUrl(server: RunningServer, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = SETUP_URL.exec(server.output());
    if (found) return found[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

export async function startConsoleServer(): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const database = await createTestDatabase('sqlite');
  // PUBLIC_URL=auto: the issuer, token URL and setup URL are this process's own address.
  const env = processEnv(database, { PUBLIC_URL: 'auto', LOG_LEVEL: 'warn' });
  const server = await startServer(env);
  // If this test process ends without its after() hooks (killed on a timeout), the server must not
  // outlive it: stop() sends SIGTERM synchronously before it awaits anything.
  const orphanGuard = () => void server.stop();
  process.once('exit', orphanGuard);
  const stop = async () => {
    process.off('exit', orphanGuard);
    await server.stop();
    await database.drop();
  };
  try {
    const setupUrl = await printedSetupUrl(server, 5_000);
    if (!setupUrl) throw new Error(`latchkey serve printed no setup URL (…/console/setup?token=…) at start:\n${server.output()}`);
    return { server, database, env, setupUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
