// The OpenAPI 3.1 document of the management API (SPEC §3): generated from the route schemas,
// valid according to a real validator, listing every route; and /docs rendering it offline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createHarness, type Harness } from './helpers/harness.ts';

const ROUTES = [
  'POST /api/v1/session',
  'DELETE /api/v1/session',
  'GET /api/v1/setup',
  'POST /api/v1/setup',
  'GET /api/v1/me',
  'GET /api/v1/me/tokens',
  'POST /api/v1/me/tokens',
  'DELETE /api/v1/me/tokens/{id}',
  'GET /api/v1/users',
  'POST /api/v1/users',
  'PATCH /api/v1/users/{id}',
  'DELETE /api/v1/users/{id}',
  'GET /api/v1/environments',
  'POST /api/v1/environments',
  'GET /api/v1/environments/{env}',
  'PATCH /api/v1/environments/{env}',
  'DELETE /api/v1/environments/{env}',
  'GET /api/v1/environments/{env}/members',
  'PUT /api/v1/environments/{env}/members/{userId}',
  'DELETE /api/v1/environments/{env}/members/{userId}',
  'GET /api/v1/environments/{env}/integrations',
  'POST /api/v1/environments/{env}/integrations',
  'GET /api/v1/environments/{env}/integrations/{id}',
  'PATCH /api/v1/environments/{env}/integrations/{id}',
  'DELETE /api/v1/environments/{env}/integrations/{id}',
  'POST /api/v1/environments/{env}/integrations/{id}/secrets',
  'DELETE /api/v1/environments/{env}/integrations/{id}/secrets/{secretId}',
  'POST /api/v1/environments/{env}/integrations/{id}/revoke-tokens',
  'GET /api/v1/environments/{env}/integrations/{id}/activity',
  'GET /api/v1/environments/{env}/audit',
  'GET /api/v1/audit',
  'GET /api/v1/scopes',
];

describe('the OpenAPI document', () => {
  let h: Harness;
  let document: Record<string, any>;
  before(async () => {
    h = await createHarness('sqlite');
    const reply = await h.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(reply.statusCode, 200);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    document = JSON.parse(reply.body);
  });
  after(() => h.close());

  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(document);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
  });

  it('lists every route of the management API, and nothing of the other surfaces', () => {
    const listed: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) listed.push(`${method.toUpperCase()} ${path}`);
    }
    assert.deepEqual(listed.sort(), [...ROUTES].sort());
  });

  it('documents each body as closed, each error as the problem shape, and the credentials', () => {
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const body = operation.requestBody?.content?.['application/json']?.schema;
        if (body) assert.equal(body.additionalProperties, false, `${method} ${path}: unknown fields are refused`);
        const problem = operation.responses['4XX'] ?? operation.responses['4xx'];
        assert.ok(problem, `${method} ${path}: errors documented`);
        assert.deepEqual(Object.keys(problem.content['application/json'].schema.properties).sort(), ['details', 'error', 'message']);
      }
    }
    assert.deepEqual(Object.keys(document.components.securitySchemes).sort(), ['personalAccessToken', 'session']);
    assert.deepEqual(document.paths['/api/v1/session'].post.security, [], 'signing in needs no credentials');
  });

  it('is rendered at /docs from this server alone (no CDN)', async () => {
    const page = await h.inject({ method: 'GET', url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(page.body, /(src|href)="https?:/, 'every asset is local');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    for (const asset of ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js']) {
      const reply = await h.inject({ method: 'GET', url: asset });
      assert.equal(reply.statusCode, 200, asset);
    }
    const json = await h.inject({ method: 'GET', url: '/docs/json' });
    assert.deepEqual(Object.keys(JSON.parse(json.body).paths).sort(), Object.keys(document.paths).sort());
  });
});
