/** Child processes of the benchmark: started, awaited, and always stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

const running = new Set<Child>();

export class Child {
  private output = '';
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      // The last few KiB of output, shown if the child fails.
      this.output = (this.output + chunk.toString()).slice(-8192);
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        running.delete(this);
        resolve(code);
      });
      process.once('error', (error) => {
        this.output += `\n${error.message}`;
        this.exitCode = null;
        running.delete(this);
        resolve(null);
      });
    });
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  tail(): string {
    return this.output.trim().split('\n').slice(-20).join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts `node <args>` from the repository root with `env` added to this process's environment. */
export function startNode(name: string, args: string[], env: Record<string, string>): Child {
  const child = new Child(
    name,
    spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  running.add(child);
  return child;
}

/** Runs `node <args>` to completion; resolves with stdout, rejects with the output on failure. */
export async function runNode(name: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<string> {
  const child = startNode(name, args, env);
  let stdout = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const timer = setTimeout(() => void child.stop(), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${child.tail()}`);
  return stdout;
}

/** Stops every child still running (in parallel). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/** Last resort on exit: no child outlives the benchmark. */
export function killAllNow(): void {
  for (const child of running) if (child.alive) child.process.kill('SIGKILL');
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `url` until it answers (any status), failing early if the child exits. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`${child.name} exited (${child.exitCode}) before it listened:\n${child.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}
