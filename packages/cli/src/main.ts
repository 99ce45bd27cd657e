import { auditCommand } from './commands/audit.ts';
import { apiCommand } from './commands/api.ts';
import { envCommand } from './commands/env.ts';
import { integrationsCommand } from './commands/integrations.ts';
import { keysCommand } from './commands/keys.ts';
import { migrateCommand } from './commands/migrate.ts';
import { serveCommand } from './commands/serve.ts';
import { tokenCommand } from './commands/token.ts';
import { usersCommand } from './commands/users.ts';
import { reportError, UsageError } from './output.ts';

const HELP = `latchkey — integrations and OAuth 2.0 client-credentials tokens

Usage:
  latchkey serve [--workers N]
  latchkey migrate
  latchkey users create --email EMAIL [--owner]            (the password is read from stdin)
  latchkey env create <id> [--display-name NAME] [--token-ttl-seconds N] [--token-reuse-window-seconds N]
  latchkey env update <id> [--display-name NAME] [--token-ttl-seconds N] [--token-reuse-window-seconds N]
  latchkey env list
  latchkey integrations create --env ENV --name NAME [--description TEXT] [--scopes "a b" | --preset all|read-only]
  latchkey integrations list --env ENV
  latchkey integrations show ID --env ENV
  latchkey integrations update ID --env ENV [--name N] [--description D] [--scopes "…" | --preset P] [--disable | --enable]
        [--allow-browser-writes | --no-allow-browser-writes]
  latchkey integrations regenerate-secret ID --env ENV [--grace-seconds N] [--expires-at ISO-8601]
  latchkey integrations revoke-tokens ID --env ENV
  latchkey integrations delete ID --env ENV --yes
  latchkey audit --env ENV | --platform [--action A] [--actor X] [--target T] [--from ISO] [--to ISO] [--limit N]
  latchkey keys rotate [--emergency] [--alg RS256|ES256|EdDSA]
  latchkey token --url URL --client-id ID --client-secret SECRET [--audience A] [--scope "…"]
  latchkey api METHOD PATH [--data JSON|@file | --file PATH...] [--scope "…"]   (LATCHKEY_URL, LATCHKEY_CLIENT_ID, LATCHKEY_CLIENT_SECRET)

Every command takes --json. ID is an integration's id or its client id.
Configuration comes from the environment (DATABASE_URL, LATCHKEY_DATA_DIR, LATCHKEY_MASTER_KEY, …): see docs/configuration.md.
`;

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  serve: serveCommand,
  migrate: migrateCommand,
  env: envCommand,
  integrations: integrationsCommand,
  keys: keysCommand,
  token: tokenCommand,
  api: apiCommand,
  users: usersCommand,
  audit: auditCommand,
};

const [name, ...args] = process.argv.slice(2);
const json = args.includes('--json');
try {
  if (!name || name === 'help' || name === '--help' || name === '-h') process.stdout.write(HELP);
  else {
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    await command(args);
  }
} catch (error) {
  process.exitCode = reportError(error, json);
}
