/**
 * How the client authenticates to the token and revocation endpoints (RFC 6749 §2.3.1):
 * `client_secret_basic` (default: HTTP Basic) or `client_secret_post` (in the form body).
 *
 * @example
 * ```ts
 * import { ClientCredentials, type ClientAuthMethod } from '@latchkey/sdk';
 * const authMethod: ClientAuthMethod = 'client_secret_post';
 * const credentials = new ClientCredentials({ tokenUrl, clientId, clientSecret, authMethod });
 * ```
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** application/x-www-form-urlencoded encoding of one value (WHATWG URL §5.2; space is "+"). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Adds client authentication to a form request. Basic: RFC 6749 §2.3.1 says the client id and
 * secret are each form-urlencoded before they are joined with ":" and base64-encoded, so a ":"
 * or a non-ASCII character in either survives (the result is ASCII, so `btoa` is safe).
 *
 * @internal
 */
export function applyClientAuth(method: ClientAuthMethod, clientId: string, clientSecret: string, headers: Headers, body: URLSearchParams): void {
  if (method === 'client_secret_post') {
    body.set('client_id', clientId);
    body.set('client_secret', clientSecret);
  } else {
    headers.set('authorization', `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`);
  }
}
