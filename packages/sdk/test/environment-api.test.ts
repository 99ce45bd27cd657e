// EnvironmentApi against a real `latchkey serve` process: paging across pages, templates,
// collections, projects, and how refusals come back (problem details, required scope,
// invalid_token). The integration and environment are created with the CLI, as scripts do.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, ClientCredentials, EnvironmentApi, type TemplateItem } from '../src/index.ts';
import { minimalTrueType, PNG_1X1, recordingFetch, recordingSleep, startLatchkey, type Latchkey } from './helpers/latchkey.ts';

describe('EnvironmentApi against a real Latchkey server', () => {
  let lk: Latchkey;
  let api: EnvironmentApi;
  let credentials: ClientCredentials;
  const document = { id: 'doc', pages: [{ id: 'p1', frames: [{ type: 'text', text: 'Hello, ünïcode' }] }], properties: { width: 210 } };

  before(async () => {
    lk = await startLatchkey();
    credentials = new ClientCredentials({ issuer: lk.issuer, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret });
    api = new EnvironmentApi({ baseUrl: lk.url, environment: lk.environment, credentials });
  });
  after(() => lk?.stop());

  it('lists every template across pages, and page() gives one page with its nextPage link', async () => {
    const created: TemplateItem[] = [];
    for (const name of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) created.push(await api.templates.create({ name, folderPath: '/paging', document }));

    const fetch = recordingFetch();
    const counted = new EnvironmentApi({ baseUrl: lk.url, environment: lk.environment, fetch, credentials });
    const names: string[] = [];
    for await (const template of counted.templates.list({ folder: '/paging', limit: 2, sortBy: 'name', sortOrder: 'desc' })) names.push(template.name);
    assert.deepEqual(names, ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha']);
    assert.equal(fetch.requests.length, 3, 'three pages of at most 2');

    const first = await api.templates.page({ folder: '/paging', limit: 2 });
    assert.equal(first.total, 5);
    assert.equal(first.pageSize, 2);
    assert.deepEqual(first.data.map((t) => t.name), ['Alpha', 'Bravo']);
    assert.match(first.links.nextPage, /^http:\/\/127\.0\.0\.1:\d+\/grafx\/api\/v1\/environment\/demo\/templates\?.*nextPageToken=/);
    const second = await api.templates.page({ limit: 2, nextPageToken: first.links.nextPage });
    assert.deepEqual(second.data.map((t) => t.name), ['Charlie', 'Delta']);
    const last = await api.templates.page({ nextPageToken: second.links.nextPage });
    assert.deepEqual(last.data.map((t) => t.name), ['Echo']);
    assert.equal(last.links.nextPage, '');
    assert.deepEqual(new Set(created.map((t) => t.relativePath)), new Set(['/paging']));
  });

  it('creates a template, gets its item and downloads its document', async () => {
    const created = await api.templates.create({ name: 'Flyer', folderPath: '/spring', document });
    assert.equal(created.name, 'Flyer');
    assert.equal(created.relativePath, '/spring');
    assert.equal(created.type, 0);
    const item = await api.templates.get(created.id);
    assert.deepEqual(item, created);
    assert.deepEqual(await api.templates.download(created.id), document);

    const replacement = { ...document, properties: { width: 297 } };
    await api.templates.replace(created.id, replacement);
    assert.deepEqual(await api.templates.download(created.id), replacement);
    const moved = await api.templates.move(created.id, { name: 'Flyer (old)', folderPath: '/archive' });
    assert.equal(moved.name, 'Flyer (old)');
    assert.equal(moved.relativePath, '/archive');
    await api.templates.delete(created.id);
    const gone = await api.templates.get(created.id).catch((e: unknown) => e);
    assert.ok(gone instanceof ApiError);
    assert.equal(gone.status, 404);
    assert.equal(gone.problem?.status, 404);
  });

  it('groups templates in a collection; a template in one needs force to be deleted', async () => {
    const template = await api.templates.create({ name: 'In a collection', document });
    const collection = await api.templateCollections.create({ name: 'Spring', description: 'Campaign' });
    assert.equal((await api.templateCollections.addTemplate(collection.id, template.id)).templateCount, 1);
    const members: string[] = [];
    for await (const member of api.templateCollections.templates(collection.id)) members.push(member.id);
    assert.deepEqual(members, [template.id]);
    const updated = await api.templateCollections.update(collection.id, { description: 'Spring 2026' });
    assert.equal(updated.description, 'Spring 2026');
    assert.equal((await api.templateCollections.get(collection.id)).name, 'Spring');

    const conflict = await api.templates.delete(template.id).catch((e: unknown) => e);
    assert.ok(conflict instanceof ApiError);
    assert.equal(conflict.status, 409);
    await api.templates.delete(template.id, { force: true });
    await api.templateCollections.delete(collection.id);
  });

  it('makes a project from a template, saves its document and renames it', async () => {
    const template = await api.templates.create({ name: 'Project source', document });
    const project = await api.projects.create({ templateId: template.id, name: 'For Ann' });
    assert.equal(project.name, 'For Ann');
    assert.deepEqual(project.template, { id: template.id });
    assert.deepEqual(await api.projects.get(project.id), project);
    assert.deepEqual(await api.projects.getDocument(project.id), document);

    const edited = { ...document, pages: [] };
    await api.projects.saveDocument(project.id, edited);
    assert.deepEqual(await api.projects.getDocument(project.id), edited);
    assert.equal((await api.projects.rename(project.id, 'For Ann (final)')).name, 'For Ann (final)');
    const ids: string[] = [];
    for await (const each of api.projects.list()) ids.push(each.id);
    assert.ok(ids.includes(project.id));
    await api.projects.delete(project.id);
    await assert.rejects(api.projects.get(project.id), (error: unknown) => error instanceof ApiError && error.status === 404);
  });

  it('reports the scope a down-scoped token lacks (403 insufficient_scope)', async () => {
    const readOnly = new EnvironmentApi({
      baseUrl: lk.url,
      environment: lk.environment,
      credentials: new ClientCredentials({ tokenUrl: lk.tokenUrl, clientId: lk.all.clientId, clientSecret: lk.all.clientSecret, scope: 'template:list template:read' }),
    });
    for await (const _ of readOnly.templates.list({ limit: 1 })) break;
    const error = await readOnly.templates.create({ name: 'nope', document }).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.name, 'ApiError');
    assert.equal(error.status, 403);
    assert.equal(error.requiredScope, 'template:write');
    assert.equal(error.errorCode, 'insufficient_scope');
    assert.equal(error.problem?.status, 403);
    assert.equal(typeof error.problem?.title, 'string');
  });

  it('reports an invalid token as 401 invalid_token, after one refresh and one retry', async () => {
    const fetch = recordingFetch();
    let asked = 0;
    const broken = new EnvironmentApi({ baseUrl: lk.url, environment: lk.environment, fetch, getToken: async () => (asked++, 'not-a-token') });
    const error = await broken.templates.page().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.errorCode, 'invalid_token');
    assert.equal(fetch.requests.length, 2);
    assert.equal(asked, 2);
  });

  it('refuses a token in another environment\'s URL as invalid_token (a base ending in /grafx/api/v1 works too)', async () => {
    const other = new EnvironmentApi({ baseUrl: `${lk.url}/grafx/api/v1/`, environment: 'other-env', credentials });
    assert.equal(other.url, `${lk.url}/grafx/api/v1/environment/other-env/`);
    const error = await other.templates.page().catch((e: unknown) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.errorCode, 'invalid_token');
  });

  it('uploads media, lists it, downloads it, waits for its preview, moves and deletes it', async () => {
    const media = new EnvironmentApi({ baseUrl: lk.url, environment: lk.environment, credentials, sleep: recordingSleep() }).media;
    const item = await media.upload({ file: new Blob([PNG_1X1], { type: 'image/png' }), name: 'dot.png', folderPath: '/brand' });
    assert.equal(item.name, 'dot.png');
    assert.equal(item.relativePath, '/brand');
    assert.equal(item.width, 1);
    assert.equal(item.height, 1);
    assert.deepEqual(await media.get(item.id), item);

    const download = await media.download(item.id);
    assert.equal(download.headers.get('content-type'), 'image/png');
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG_1X1);
    // The recording sleep does not wait: each attempt is one round trip, so allow enough of them
    // for the background job (about 25 on an idle machine).
    const preview = await media.preview(item.id, 'thumbnail', { maxAttempts: 1000 });
    assert.equal(preview.status, 200);
    assert.match(preview.headers.get('content-type') ?? '', /^image\//);
    await preview.arrayBuffer();

    const listed: string[] = [];
    for await (const each of media.list({ folder: '/brand' })) listed.push(each.id);
    assert.deepEqual(listed, [item.id]);
    const root: Array<{ name: string; type: number }> = [];
    for await (const entry of media.directory({ folder: '/', includeFolders: true })) root.push({ name: entry.name, type: entry.type });
    assert.ok(root.some((entry) => entry.name === 'brand' && entry.type === 1), JSON.stringify(root));

    const moved = await media.update(item.id, { name: 'dot-2026.png', folderPath: '/brand/2026' });
    assert.equal(moved.name, 'dot-2026.png');
    assert.equal(moved.relativePath, '/brand/2026');
    await media.delete(item.id);
    await assert.rejects(media.get(item.id), (error: unknown) => error instanceof ApiError && error.status === 404);
  });

  it('reports media:write as the scope a read-only integration lacks for an upload', async () => {
    const readOnly = await lk.cli<{ clientId: string; clientSecret: string }>('integrations', 'create', '--env', 'demo', '--name', 'front end', '--preset', 'read-only');
    const browserSide = new EnvironmentApi({
      baseUrl: lk.url,
      environment: lk.environment,
      credentials: new ClientCredentials({ tokenUrl: lk.tokenUrl, clientId: readOnly.clientId, clientSecret: readOnly.clientSecret }),
    });
    const error = await browserSide.media.upload({ file: new Blob([PNG_1X1]), name: 'x.png' }).catch((e: unknown) => e);
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 403);
    assert.equal(error.requiredScope, 'media:write');
    assert.equal(error.problem?.status, 403);
  });

  it('uploads a font in three steps, finds its family and style, downloads and deletes them', async () => {
    const bytes = minimalTrueType('Latchkey Test Sans', 'Bold');
    const result = await api.fontStyles.upload([{ file: new Blob([bytes]), fileName: 'LatchkeyTestSans-Bold.ttf' }], {
      corrections: (preloaded) => preloaded.map((p) => ({ fontStyleId: p.id, familyName: 'Latchkey Brand', styleName: 'Bold' })),
    });
    assert.equal(result.preloaded.length, 1);
    assert.equal(result.preloaded[0]!.familyName, 'Latchkey Test Sans');
    assert.equal(result.preloaded[0]!.canBeUploaded, true);

    let familyId: string | undefined;
    for await (const family of api.fontFamilies.list({ search: 'Latchkey Brand' })) familyId = family.id;
    assert.ok(familyId, 'the corrected family is listed');
    const styles = [];
    for await (const style of api.fontFamilies.styles(familyId)) styles.push(style);
    assert.deepEqual(styles.map((s) => [s.familyName, s.name]), [['Latchkey Brand', 'Bold']]);
    assert.equal((await api.fontStyles.get(styles[0]!.id)).fileName, 'LatchkeyTestSans-Bold.ttf');
    assert.deepEqual(new Uint8Array(await (await api.fontStyles.download(styles[0]!.id)).arrayBuffer()), bytes);

    await api.fontStyles.delete([styles[0]!.id]);
    await api.fontFamilies.delete([familyId]);
  });
});
