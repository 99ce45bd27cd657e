import { parse, requireString } from '../args.ts';
import { printJson } from '../output.ts';

/**
 * `latchkey token`: asks a Latchkey server for a token with client credentials, as the seeds'
 * samples do, and prints the token response JSON.
 */
export async function tokenCommand(args: string[]): Promise<void> {
  const { values } = parse(args, {
    url: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    audience: { type: 'string' },
    scope: { type: 'string' },
  });
  const url = (values.url ?? process.env.LATCHKEY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const body: Record<string, string> = {
    grant_type: 'client_credentials',
    client_id: requireString(values['client-id'] ?? process.env.LATCHKEY_CLIENT_ID, '--client-id'),
    client_secret: requireString(values['client-secret'] ?? process.env.LATCHKEY_CLIENT_SECRET, '--client-secret'),
  };
  if (values.audience) body.audience = values.audience;
  if (values.scope) body.scope = values.scope;
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: print what came back.
  }
  if (!response.ok) {
    const error = parsed as { error?: string; error_description?: string };
    throw new Error(`${response.status} ${error.error ?? ''}: ${error.error_description ?? text}`.trim());
  }
  printJson(parsed);
}
