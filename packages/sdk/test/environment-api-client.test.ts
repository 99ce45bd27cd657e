// EnvironmentApi's wire behaviour against a scripted node:http server: URLs, paging across pages,
// bodies of each kind of call, 202 previews and error mapping. The same calls against the real
// server are in environment-api.test.ts.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, EnvironmentApi } from '../src/index.ts';
import { recordingSleep } from './helpers/latchkey.ts';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  body: Buffer;
}
type Handler = (request: Seen) => { status: number; body?: unknown; headers?: Record<string, string> };

describe('EnvironmentApi (scripted server)', () => {
  let server: Server;
  let origin: string;
  let seen: Seen[] = [];
  let handler: Handler = () => ({ status: 404 });
  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url!, 'http://x');
        const entry: Seen = {
          method: request.method!,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          contentType: request.headers['content-type'],
          authorization: request.headers.authorization,
          body: Buffer.concat(chunks),
        };
        seen.push(entry);
        const reply = handler(entry);
        const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        response.writeHead(reply.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...reply.headers });
        response.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen = [];
  });

  const api = (baseUrl = origin) => new EnvironmentApi({ baseUrl, environment: 'demo', getToken: async () => 'tok', sleep: recordingSleep() });
  const prefix = '/grafx/api/v1/environment/demo';

  it('builds URLs from a bare origin, a trailing slash or a base already ending in /grafx/api/v1', () => {
    assert.equal(api('https://lk.example.com').url, 'https://lk.example.com/grafx/api/v1/environment/demo/');
    assert.equal(api('https://lk.example.com/').url, 'https://lk.example.com/grafx/api/v1/environment/demo/');
    assert.equal(api('https://lk.example.com/grafx/api/v1/').url, 'https://lk.example.com/grafx/api/v1/environment/demo/');
    assert.equal(api('https://lk.example.com/proxy').url, 'https://lk.example.com/proxy/grafx/api/v1/environment/demo/');
  });

  it('lists every item across pages, keeping the query and the caller\'s origin', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ id: `t${i}`, name: `T${i}` }));
    handler = ({ query }) => {
      const start = Number(query.nextPageToken ?? 0);
      const data = items.slice(start, start + 2);
      // The server's PUBLIC_URL differs from the address the client uses (a proxy): the token goes to the client's origin only.
      const nextPage = start + 2 < items.length ? `https://public.example.com${prefix}/templates?nextPageToken=${start + 2}` : '';
      return { status: 200, body: { data, pageSize: data.length, links: { nextPage }, total: items.length } };
    };
    const names: string[] = [];
    for await (const template of api().templates.list({ limit: 2, search: 'T', sortBy: 'name' })) names.push(template.name);
    assert.deepEqual(names, ['T0', 'T1', 'T2', 'T3', 'T4']);
    assert.equal(seen.length, 3);
    assert.deepEqual(seen.map((s) => s.query), [
      { limit: '2', search: 'T', sortBy: 'name' },
      { limit: '2', search: 'T', sortBy: 'name', nextPageToken: '2' },
      { limit: '2', search: 'T', sortBy: 'name', nextPageToken: '4' },
    ]);
    assert.ok(seen.every((s) => s.path === `${prefix}/templates` && s.authorization === 'Bearer tok'));
  });

  it('page() answers one page; an early break fetches no more', async () => {
    handler = () => ({ status: 200, body: { data: [{ id: 'a' }, { id: 'b' }], pageSize: 2, links: { nextPage: `${origin}${prefix}/media?nextPageToken=x` }, total: 9 } });
    const page = await api().media.page({ includeFolders: true, folder: '/a b' });
    assert.equal(page.total, 9);
    assert.deepEqual(seen[0]!.query, { includeFolders: 'true', folder: '/a b' });
    for await (const item of api().media.list()) {
      assert.equal(item.id, 'a');
      break;
    }
    assert.equal(seen.length, 2);
  });

  it('stops a server that hands out the same page again', async () => {
    handler = () => ({ status: 200, body: { data: [{ id: 'a' }], pageSize: 1, links: { nextPage: `${origin}${prefix}/projects?nextPageToken=same` }, total: 1 } });
    await assert.rejects(async () => {
      for await (const _ of api().projects.list()) void _;
    }, /repeats/);
  });

  it('sends each call the way SPEC §4 says', async () => {
    handler = ({ method, path }) => {
      if (method === 'PUT' && path.endsWith('/document')) return { status: 204 };
      if (method === 'POST') return { status: 201, body: { id: 'new', name: 'n' } };
      if (method === 'DELETE') return { status: 204 };
      return { status: 200, body: { data: { id: 'x', name: 'wrapped' }, links: {} } };
    };
    const client = api();
    assert.deepEqual(await client.templates.get('a/b'), { id: 'x', name: 'wrapped' });
    await client.templates.create({ name: 'Flyer', folderPath: '/spring', document: { pages: [] } });
    await client.templates.move('id1', { folderPath: '/archive' });
    await client.templates.delete('id1', { force: true });
    await client.projects.create({ templateId: 'tpl', name: 'P' });
    await client.projects.saveDocument('p1', { a: 1 });
    await client.templateCollections.addTemplate('c1', 'tpl');
    await client.fontFamilies.delete(['f1', 'f2']);
    await client.media.upload({ file: new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), name: 'logo.png', folderPath: '/brand' });
    const calls = seen.map((s) => `${s.method} ${s.path.slice(prefix.length)} ${new URLSearchParams(s.query)}`.trim());
    assert.deepEqual(calls, [
      'GET /templates/a%2Fb',
      'POST /templates name=Flyer&folderPath=%2Fspring',
      'PUT /templates/id1 folderPath=%2Farchive',
      'DELETE /templates/id1 force=true',
      'POST /projects',
      'PUT /projects/p1/document',
      'PUT /template-collections/c1/templates/tpl',
      'DELETE /font-families ids=f1%2Cf2',
      'POST /media folderPath=%2Fbrand&name=logo.png',
    ]);
    assert.equal(seen[1]!.contentType, 'application/json');
    assert.deepEqual(JSON.parse(seen[1]!.body.toString()), { pages: [] });
    assert.equal(seen[2]!.body.length, 0, 'a move sends no body');
    assert.deepEqual(JSON.parse(seen[4]!.body.toString()), { template: { id: 'tpl' }, name: 'P' });
    assert.match(seen[8]!.contentType!, /^multipart\/form-data; boundary=/);
    assert.match(seen[8]!.body.toString('latin1'), /Content-Disposition: form-data; name="file"; filename="logo.png"/);
  });

  it('runs the three-step font upload', async () => {
    handler = ({ method, path }) => {
      if (path.endsWith('/font-styles/temp')) {
        return { status: 200, body: { batchId: 'b1', data: { fontFamilies: [], preloadedData: [{ id: 's1', name: 'Regular', familyName: 'X', fileName: 'x.ttf', errors: [], canBeUploaded: true }] } } };
      }
      return { status: 200, body: { method, path } };
    };
    const result = await api().fontStyles.upload([new File([new Uint8Array([0, 1, 0, 0])], 'x.ttf'), { file: new Blob(['y']), fileName: 'y.otf' }], {
      corrections: (preloaded) => preloaded.map((p) => ({ fontStyleId: p.id, familyName: 'Brand', styleName: p.name })),
    });
    assert.equal(result.batchId, 'b1');
    assert.deepEqual(seen.map((s) => `${s.method} ${s.path.slice(prefix.length)}`), ['POST /font-styles/temp', 'PATCH /font-styles/temp/b1', 'POST /font-styles/temp/b1/confirm']);
    assert.equal((seen[0]!.body.toString('latin1').match(/name="file"/g) ?? []).length, 2);
    assert.deepEqual(JSON.parse(seen[1]!.body.toString()), [{ fontStyleId: 's1', familyName: 'Brand', styleName: 'Regular' }]);
  });

  it('asks for a preview again while it answers 202, then returns the image', async () => {
    let polls = 0;
    handler = () => (++polls < 3 ? { status: 202 } : { status: 200, body: 'PNG', headers: { 'content-type': 'image/png' } });
    const sleep = recordingSleep();
    const client = new EnvironmentApi({ baseUrl: origin, environment: 'demo', getToken: async () => 'tok', sleep });
    const response = await client.media.preview('m1', 'thumbnail');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'PNG');
    assert.deepEqual(sleep.delays, [200, 400]);
    assert.ok(seen.every((s) => s.path === `${prefix}/media/m1/preview/thumbnail`));

    polls = -100;
    await assert.rejects(client.media.preview('m1', 'medium', { maxAttempts: 3 }), (error: unknown) => error instanceof ApiError && error.status === 202);
  });

  it('maps refusals to ApiError with the problem and the required scope', async () => {
    handler = () => ({
      status: 403,
      body: { type: 'about:blank', title: 'Forbidden', status: 403, detail: 'needs template:write' },
      headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer realm="latchkey", error="insufficient_scope", scope="template:write"' },
    });
    const error = await api().templates.create({ name: 'x', document: {} }).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 403);
    assert.equal(error.requiredScope, 'template:write');
    assert.equal(error.problem?.detail, 'needs template:write');
    assert.equal(error.method, 'POST');
    assert.equal(error.url, `${origin}${prefix}/templates?name=x`);
  });
});
