import type { AuditEntry } from '@latchkey/contract';
import { optionalInteger, parse } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withServices } from '../with-services.ts';

const describe = (entry: AuditEntry) =>
  [
    entry.at,
    entry.action,
    `${entry.actor.type}:${entry.actor.label ?? entry.actor.id}`,
    `${entry.target.type}:${entry.target.id}`,
    entry.reason ? `reason=${entry.reason}` : '',
    entry.changes ? JSON.stringify(entry.changes) : '',
  ]
    .filter(Boolean)
    .join('\t');

/**
 * `latchkey audit --env ENV [--action A] [--actor X] [--target T] [--from ISO] [--to ISO] [--limit N]`,
 * newest first; `--platform` instead of `--env` lists platform events (sign-ins, people, tokens).
 */
export async function auditCommand(args: string[]): Promise<void> {
  const { values } = parse(args, {
    env: { type: 'string' },
    platform: { type: 'boolean' },
    action: { type: 'string' },
    actor: { type: 'string' },
    target: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
  });
  if (!values.env === !values.platform) throw new UsageError('usage: latchkey audit --env ENV | --platform [--action A] [--actor X] [--target T] [--from ISO] [--to ISO] [--limit N]');
  const query = {
    ...(values.action ? { action: values.action } : {}),
    ...(values.actor ? { actor: values.actor } : {}),
    ...(values.target ? { target: values.target } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.to ? { to: values.to } : {}),
    limit: optionalInteger(values.limit, '--limit') ?? 100,
  };
  await withServices(async ({ management, environments }) => {
    if (values.env) await environments.get(values.env);
    const page = await management.audit.list(values.env ?? null, query);
    return values.json ? printJson(page.data) : printLines(page.data.length ? page.data.map(describe) : ['No audit entries']);
  });
}
