import type { Integration, IntegrationWithSecret } from '@latchkey/contract';
import { parseScopeList } from '@latchkey/server';
import { optionalInteger, parse, requireString } from '../args.ts';
import { printJson, printLines, UsageError } from '../output.ts';
import { withServices } from '../with-services.ts';

const flags = {
  env: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  scopes: { type: 'string' },
  preset: { type: 'string' },
  disable: { type: 'boolean' },
  enable: { type: 'boolean' },
  'allow-browser-writes': { type: 'boolean' },
  'no-allow-browser-writes': { type: 'boolean' },
  'grace-seconds': { type: 'string' },
  'expires-at': { type: 'string' },
  yes: { type: 'boolean' },
} as const;

function describe(integration: Integration): string[] {
  return [
    `Integration ID: ${integration.id}`,
    `Name:           ${integration.name}`,
    `Client ID:      ${integration.clientId}`,
    `Scopes:         ${integration.scopes.join(' ') || '(none)'}`,
    `Disabled:       ${integration.disabled}`,
    `Browser writes: ${integration.allowBrowserWrites ? 'allowed (tokens with write scopes are accepted from browsers)' : 'refused'}`,
  ];
}

function withSecret(integration: IntegrationWithSecret): string[] {
  return [
    ...describe(integration),
    `Client Secret:  ${integration.clientSecret}`,
    '',
    'The client secret is shown this once: store it in a secret manager now.',
  ];
}

/** `latchkey integrations create|list|show|update|delete|regenerate-secret|revoke-tokens` */
export async function integrationsCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parse(rest, flags);
  const env = requireString(values.env, '--env');
  const id = () => requireString(positionals[0], 'the integration id (or client id)');
  const scopes = values.scopes === undefined ? undefined : parseScopeList(values.scopes);
  const json = values.json === true;

  await withServices(async ({ integrations }) => {
    switch (action) {
      case 'create': {
        const created = await integrations.create(env, {
          name: requireString(values.name, '--name'),
          description: values.description ?? '',
          ...(scopes !== undefined ? { scopes } : {}),
          ...(values.preset !== undefined ? { preset: values.preset } : {}),
          createdBy: 'cli',
        });
        return json ? printJson(created) : printLines(withSecret(created));
      }
      case 'list': {
        const list = await integrations.list(env);
        return json
          ? printJson(list)
          : printLines(list.length ? list.map((i) => `${i.id}\t${i.clientId}\t${i.disabled ? 'disabled' : 'enabled'}\t${i.name}`) : ['No integrations yet']);
      }
      case 'show': {
        const found = await integrations.get(env, id());
        return json ? printJson(found) : printLines(describe(found));
      }
      case 'update': {
        if (values.disable && values.enable) throw new UsageError('give --disable or --enable, not both');
        if (values['allow-browser-writes'] && values['no-allow-browser-writes']) {
          throw new UsageError('give --allow-browser-writes or --no-allow-browser-writes, not both');
        }
        const updated = await integrations.update(env, id(), {
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
          ...(scopes !== undefined ? { scopes } : {}),
          ...(values.preset !== undefined ? { preset: values.preset } : {}),
          ...(values.disable ? { disabled: true } : values.enable ? { disabled: false } : {}),
          ...(values['allow-browser-writes'] ? { allowBrowserWrites: true } : values['no-allow-browser-writes'] ? { allowBrowserWrites: false } : {}),
        });
        return json ? printJson(updated) : printLines(describe(updated));
      }
      case 'regenerate-secret': {
        const grace = optionalInteger(values['grace-seconds'], '--grace-seconds') ?? 0;
        const expiresAt = values['expires-at'] === undefined ? undefined : Date.parse(values['expires-at']);
        if (expiresAt !== undefined && !Number.isFinite(expiresAt)) throw new UsageError('--expires-at must be an ISO 8601 date-time, e.g. 2026-12-31T00:00:00Z');
        const regenerated = await integrations.regenerateSecret(env, id(), { graceSeconds: grace, ...(expiresAt !== undefined ? { expiresAt } : {}) });
        return json
          ? printJson(regenerated)
          : printLines([
              ...withSecret(regenerated),
              grace ? `The previous secret keeps working for ${grace} seconds.` : 'The previous secret no longer works.',
              ...(expiresAt !== undefined ? [`The new secret stops working at ${new Date(expiresAt).toISOString()}.`] : []),
            ]);
      }
      case 'revoke-tokens': {
        const revoked = await integrations.revokeTokens(env, id());
        return json ? printJson(revoked) : printLines([`Every token issued to ${revoked.clientId} before ${revoked.tokensNotBefore} is revoked.`]);
      }
      case 'delete': {
        const target = id();
        if (!values.yes) throw new UsageError(`deleting an integration cannot be undone: run again with --yes to delete ${target}`);
        await integrations.delete(env, target);
        return json ? printJson({ deleted: target }) : printLines([`Deleted integration ${target}`]);
      }
      default:
        throw new UsageError('usage: latchkey integrations create|list|show|update|delete|regenerate-secret|revoke-tokens --env <id>');
    }
  });
}
