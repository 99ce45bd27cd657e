import { AppError, ConfigError, MasterKeyMismatchError } from '@latchkey/server';

export class UsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Errors go to stderr with a non-zero exit code: 2 for usage, 1 for everything else. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    process.stderr.write(`latchkey: ${error.message}\nRun \`latchkey help\` for usage.\n`);
    return 2;
  }
  if (error instanceof AppError) {
    if (json) process.stderr.write(`${JSON.stringify({ error: error.code, message: error.description, details: error.details })}\n`);
    else process.stderr.write(`latchkey: ${error.description}${error.details ? `\n${error.details.map((d) => `  - ${d}`).join('\n')}` : ''}\n`);
    return 1;
  }
  if (error instanceof ConfigError || error instanceof MasterKeyMismatchError) {
    process.stderr.write(`latchkey: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`latchkey: ${(error as Error)?.message ?? String(error)}\n`);
  return 1;
}
