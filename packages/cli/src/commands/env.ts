import type { Environment } from '@latchkey/contract';
import { optionalInteger, parse, requireString } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withServices } from '../with-services.ts';

const settingsFlags = {
  'display-name': { type: 'string' },
  'token-ttl-seconds': { type: 'string' },
  'token-reuse-window-seconds': { type: 'string' },
} as const;

const describe = (env: Environment) =>
  `${env.id}\t${env.displayName}\tttl=${env.tokenTtlSeconds}s reuse-window=${env.tokenReuseWindowSeconds}s`;

/** `latchkey env create|list|update` */
export async function envCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parse(rest, settingsFlags);
  const settings = {
    displayName: values['display-name'],
    tokenTtlSeconds: optionalInteger(values['token-ttl-seconds'], '--token-ttl-seconds'),
    tokenReuseWindowSeconds: optionalInteger(values['token-reuse-window-seconds'], '--token-reuse-window-seconds'),
  };
  await withServices(async ({ environments }) => {
    if (action === 'create') {
      const env = await environments.create({ id: requireString(positionals[0], 'the environment id'), ...settings });
      return values.json ? printJson(env) : printLines([`Created environment ${describe(env)}`]);
    }
    if (action === 'update') {
      const env = await environments.update(requireString(positionals[0], 'the environment id'), settings);
      return values.json ? printJson(env) : printLines([`Updated environment ${describe(env)}`]);
    }
    if (action === 'list') {
      const list = await environments.list();
      return values.json ? printJson(list) : printLines(list.length ? list.map(describe) : ['No environments yet: latchkey env create <id>']);
    }
    throw new UsageError('usage: latchkey env create|list|update');
  });
}
