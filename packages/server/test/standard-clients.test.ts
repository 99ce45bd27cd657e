import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auth } from 'express-oauth2-jwt-bearer';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { createServices, loadConfig } from '../src/index.ts';
import { createTestDatabase, dialects, type TestDatabase } from './helpers/database.ts';
import { processEnv, startServer, type RunningServer as ServerProcess } from './helpers/processes.ts';

/**
 * Standard OAuth clients and verifiers, unmodified, against a real server process: each works
 * from the issuer URL alone (discovery), as SPEC §2 promises.
 */
for (const dialect of dialects()) {
  describe(`standard clients and verifiers (${dialect})`, () => {
    let database: TestDatabase;
    let server: ServerProcess;
    let clientId: string;
    let clientSecret: string;

    before(async () => {
      database = await createTestDatabase(dialect);
      const env = processEnv(database);
      const context = await createServices(loadConfig(env));
      await context.environments.create({ id: 'demo' });
      ({ clientId, clientSecret } = await context.integrations.create('demo', { name: 'CI', preset: 'all' }));
      await context.close();
      server = await startServer({ ...env, PUBLIC_URL: 'auto' });
    });
    after(async () => {
      await server.stop();
      await database.drop();
    });

    it('openid-client gets a token with client_secret_basic and client_secret_post', async () => {
      for (const method of [client.ClientSecretBasic(clientSecret), client.ClientSecretPost(clientSecret)]) {
        const config = await client.discovery(new URL(server.url), clientId, undefined, method, { execute: [client.allowInsecureRequests] });
        const tokens = await client.clientCredentialsGrant(config, { scope: 'template:read' });
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        assert.equal(tokens.scope, 'template:read');
        assert.ok(tokens.expires_in! > 0);
      }
    });

    it('oauth4webapi discovers the server and gets a token', async () => {
      const issuer = new URL(server.url);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
      const response = await oauth.clientCredentialsGrantRequest(as, { client_id: clientId }, oauth.ClientSecretBasic(clientSecret), new URLSearchParams(), {
        [oauth.allowInsecureRequests]: true,
      });
      const result = await oauth.processClientCredentialsResponse(as, { client_id: clientId }, response);
      assert.equal(typeof result.access_token, 'string');
    });

    it('jose verifies the token against the remote JWKS', async () => {
      const tokens = await (await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      })).json() as { access_token: string };
      const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
        issuer: server.url,
        audience: server.url,
        typ: 'at+jwt',
      });
      assert.equal(payload.client_id, clientId);
    });

    it("Auth0's express-oauth2-jwt-bearer accepts the token from the issuer URL alone", async () => {
      const tokens = await (await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      })).json() as { access_token: string };
      const middleware = auth({ issuerBaseURL: server.url, audience: server.url });
      const run = (authorization: string) =>
        new Promise<{ error: unknown; request: Record<string, unknown> }>((resolve) => {
          // The smallest Express-shaped request the middleware reads.
          const headers: Record<string, string> = { authorization, host: 'api.example' };
          const request: Record<string, unknown> = {
            headers,
            query: {},
            method: 'GET',
            url: '/resource',
            originalUrl: '/resource',
            protocol: 'http',
            hostname: 'api.example',
            host: 'api.example',
            get: (name: string) => headers[name.toLowerCase()],
            header: (name: string) => headers[name.toLowerCase()],
            is: () => false,
          };
          middleware(request as never, {} as never, (error?: unknown) => resolve({ error, request }));
        });
      const ok = await run(`Bearer ${tokens.access_token}`);
      assert.equal(ok.error, undefined, String(ok.error));
      assert.equal((ok.request.auth as { payload: { sub: string } }).payload.sub, clientId);
      const tampered = await run(`Bearer ${tokens.access_token.slice(0, -4)}AAAA`);
      assert.ok(tampered.error, 'a tampered token is refused');
    });
  });
}
