import type { User } from '@latchkey/contract';
import { parse, requireString } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withServices } from '../with-services.ts';

/**
 * The password, from stdin: typed at a terminal without echo, or the first line of a pipe
 * (`printf '%s\n' "$PASSWORD" | latchkey users create …`). Never from a flag: flags end up in
 * shell history and in `ps`.
 */
export async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      let typed = '';
      const done = (error?: Error) => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
        process.stderr.write('\n');
        if (error) reject(error);
        else resolve(typed);
      };
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n') return done();
          if (char === '\u0003') return done(new UsageError('cancelled'));
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      stdin.on('data', onData);
    });
  }
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('no password on stdin: pipe it in (printf \'%s\\n\' "$PASSWORD" | latchkey users create …) or run in a terminal');
  return line;
}

const describe = (user: User) => `${user.id}\t${user.email}\t${user.platformRole}`;

/** `latchkey users create --email … [--owner]` (password from stdin). */
export async function usersCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parse(rest, { email: { type: 'string' }, owner: { type: 'boolean' } });
  if (action !== 'create') throw new UsageError('usage: latchkey users create --email EMAIL [--owner]  (the password is read from stdin)');
  const email = requireString(values.email, '--email');
  const password = await readPassword(`Password for ${email}: `);
  await withServices(async ({ management }) => {
    const user = await management.users.create({ email, password, platformRole: values.owner ? 'owner' : 'member' });
    return values.json ? printJson(user) : printLines([`Created ${user.platformRole} ${describe(user)}`]);
  });
}
