/**
 * The peer: oidc-provider (the reference Node OAuth server) configured for the client credentials
 * grant with JWT (RS256) access tokens, through the resource indicators feature (RFC 8707):
 * every token request gets the default resource, whose access tokens are JWTs.
 *
 * Env: PORT, HOST, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_RESOURCE.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { Provider, errors } from 'oidc-provider';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const resource = process.env.BENCH_RESOURCE ?? 'https://api.bench.example';
const clientId = process.env.BENCH_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.BENCH_CLIENT_SECRET ?? 'bench-client-secret-0123456789abcdef0123456789abcdef';

// One RSA-2048 signing key, as Latchkey uses by default.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

const provider = new Provider(`http://${host}:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['latchkey-bench-cookie-key'] },
  scopes: ['api:read', 'api:write'],
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return {
          scope: 'api:read api:write',
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});
provider.on('server_error', (_ctx: unknown, error: unknown) => console.error('oidc-provider server_error', error));

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 72_000;
server.listen(port, host, () => console.log(`oidc-provider listening on ${host}:${port}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
