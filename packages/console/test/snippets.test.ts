// The "Get a token" samples: each sends the Client Secret as client_secret (never the client id,
// the mistake of two samples in the GraFx docs), and escapes values for its language.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { LANGUAGES, SECRET_PLACEHOLDER, snippet } from '../src/features/integrations/snippets.ts';

const values = { tokenUrl: 'https://auth.example.com/oauth/token', audience: 'https://chiligrafx.com', clientId: 'A'.repeat(32), clientSecret: `lk_secret_${'b'.repeat(49)}` };

test('every sample carries the token URL, the audience, the Client ID and the secret as client_secret', () => {
  for (const language of LANGUAGES) {
    const code = snippet(language, values);
    for (const value of Object.values(values)) assert.ok(code.includes(value), `${language} lacks ${value}`);
    assert.ok(!/client_secret["']?\s*[:,=]\s*client_?id/i.test(code) && !/clientSecret\s*=\s*clientId/.test(code), `${language} sends the client id as the secret`);
  }
});

test('the cURL sample is one shell command whose body is the JSON the token endpoint expects', () => {
  const code = snippet('curl', values);
  // Replace curl by a printer of its arguments: what bash would hand to curl.
  const printed = spawnSync('bash', ['-c', `curl() { printf '%s\\n' "$@"; }\n${code}`], { encoding: 'utf8' });
  assert.equal(printed.status, 0, printed.stderr);
  const args = printed.stdout.split('\n');
  assert.deepEqual(args.slice(0, 5), ['-X', 'POST', values.tokenUrl, '-H', 'Content-Type: application/json']);
  assert.equal(args[5], '-d');
  assert.deepEqual(JSON.parse(args.slice(6).join('\n')), { grant_type: 'client_credentials', audience: values.audience, client_id: values.clientId, client_secret: values.clientSecret });
});

test('a quote in a configured URL cannot break out of the shell string', () => {
  const code = snippet('curl', { ...values, tokenUrl: "https://x.example/o'; touch /tmp/pwned; echo '" });
  const printed = spawnSync('bash', ['-c', `curl() { printf '%s\\n' "$@"; }\n${code}`], { encoding: 'utf8' });
  assert.equal(printed.stdout.split('\n')[2], "https://x.example/o'; touch /tmp/pwned; echo '");
});

test('without the secret, the samples show a placeholder', () => {
  for (const language of LANGUAGES) assert.ok(snippet(language, { ...values, clientSecret: SECRET_PLACEHOLDER }).includes(SECRET_PLACEHOLDER));
});
