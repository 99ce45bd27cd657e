import { AppError } from '../../errors.ts';
import { isWellFormedClientSecret } from '../integrations/client-secret.ts';
import type { TokenParams } from './token-request.ts';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

export const AUTH_FAILED = 'Client authentication failed.';

export function invalidClient(usedBasic: boolean, description = AUTH_FAILED): AppError {
  // RFC 6749 §5.2: a client that tried the Authorization header gets 401 with a challenge.
  return new AppError('invalid_client', description, usedBasic ? { headers: { 'www-authenticate': 'Basic realm="latchkey"' } } : {});
}

function formDecode(value: string): string {
  // RFC 6749 §2.3.1: each half is application/x-www-form-urlencoded, so `+` is a space.
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Reads the client's credentials: `client_secret_basic` (RFC 6749 §2.3.1) or `client_secret_post`.
 * Malformed input is `invalid_client` or `invalid_request`, never an exception that escapes.
 */
export function readClientCredentials(authorization: string | undefined, params: TokenParams): ClientCredentials {
  if (authorization) {
    const [scheme, value, extra] = authorization.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'basic' || !value || extra !== undefined) {
      throw invalidClient(true, 'Unsupported client authentication: use HTTP Basic or client_secret in the body.');
    }
    if (params.client_secret !== undefined) {
      throw new AppError('invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both.');
    }
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    let clientId: string;
    let clientSecret: string;
    try {
      if (colon === -1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) throw new Error('malformed');
      clientId = formDecode(decoded.slice(0, colon));
      clientSecret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw invalidClient(true, 'Malformed HTTP Basic credentials.');
    }
    if (!clientId || !clientSecret) throw invalidClient(true);
    if (params.client_id !== undefined && params.client_id !== clientId) {
      throw new AppError('invalid_request', 'The client_id in the body differs from the one in the Authorization header.');
    }
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (params.client_id === undefined || params.client_secret === undefined) {
    throw invalidClient(false, 'Client authentication is required: send client_id and client_secret.');
  }
  return { clientId: params.client_id, clientSecret: params.client_secret, method: 'client_secret_post' };
}

/**
 * Failures that can be explained without a lookup, so explaining them reveals nothing about
 * which clients exist: the seeds' Node and Java samples send the client id as the secret.
 */
export function explainWithoutLookup(credentials: ClientCredentials): string | null {
  if (credentials.clientSecret === credentials.clientId) {
    return 'Client authentication failed: the client_secret sent is the client ID. Send the Client Secret shown when the integration was created or its secret regenerated.';
  }
  if (!isWellFormedClientSecret(credentials.clientSecret)) {
    return 'Client authentication failed: the client_secret is not a Latchkey secret (lk_secret_ followed by 49 characters, checksum included); check it was copied whole.';
  }
  return null;
}
