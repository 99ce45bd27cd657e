import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { dialects } from './helpers/database.ts';
import { API_PREFIX, createHarness, ISSUER, START, type ApiReply, type Harness } from './helpers/harness.ts';

const BASE = `${ISSUER}${API_PREFIX}`;
const at = (ms: number) => new Date(ms).toISOString();
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const tupleOrder = (a: string[], b: string[]) => a.reduce((found, _, i) => found || byteOrder(a[i]!, b[i]!), 0);

interface Created {
  id: string;
  name: string;
  relativePath: string;
}

/** The documented order: the sort field (names case-insensitively), ties broken by the id. */
const keyOf = (sortBy: string, t: Created) =>
  sortBy === 'id' ? [t.id] : sortBy === 'name' ? [t.name.toLowerCase(), t.id] : [t.relativePath, t.name.toLowerCase(), t.id];

const directory = (path: string) => ({
  id: path,
  name: path.slice(path.lastIndexOf('/') + 1),
  relativePath: path.lastIndexOf('/') === 0 ? '/' : path.slice(0, path.lastIndexOf('/')),
  extension: null,
  type: 1,
  width: null,
  height: null,
  metaData: null,
  dateCreated: null,
  lastModified: null,
});

function expectProblem(reply: ApiReply, status: number, detail: string) {
  assert.equal(reply.status, status, reply.raw);
  assert.deepEqual(reply.body, { type: reply.body.type, title: STATUS_CODES[status], status, detail });
}

for (const dialect of dialects()) {
  describe(`Environment API lists and paging (${dialect})`, () => {
    let h: Harness;
    let token: string;
    const all: Created[] = [];
    const api = (path: string, env = 'paging') => h.api(env, 'GET', path, { token });
    const create = async (name: string, folderPath: string, env = 'paging', as = token) => {
      const reply = await h.api(env, 'POST', `templates?name=${encodeURIComponent(name)}&folderPath=${encodeURIComponent(folderPath)}`, { token: as, body: { name } });
      assert.equal(reply.status, 201, reply.raw);
      return reply.body as Created;
    };
    /** Follows nextPage links to the end, checking each envelope on the way. */
    const walk = async (path: string, env = 'paging') => {
      const pages: ApiReply[] = [];
      let next = `${BASE}/${env}/${path}`;
      while (next) {
        assert.ok(next.startsWith(`${BASE}/${env}/`), next);
        const reply = await api(next.slice(`${BASE}/${env}/`.length), env);
        assert.equal(reply.status, 200, reply.raw);
        assert.equal(reply.body.pageSize, reply.body.data.length);
        pages.push(reply);
        next = reply.body.links.nextPage;
        assert.ok(pages.length < 100, 'paging ends');
      }
      return pages;
    };
    const idsOf = (pages: ApiReply[]) => pages.flatMap((page) => page.body.data.map((item: { id: string }) => item.id));

    before(async () => {
      h = await createHarness(dialect);
      await h.env('paging');
      await h.env('other');
      token = await h.apiToken('paging');
      // Ties on purpose: the same name in several folders and in several cases.
      for (const [name, folder] of [
        ['Alpha', '/'],
        ['alpha', '/a'],
        ['ALPHA', '/a/b'],
        ['beta', '/'],
        ['Beta 2', '/a'],
        ['gamma_1', '/a/b/c'],
        ['gamma%2', '/z'],
        ['Ünïcode', '/'],
        ['zeta', '/a/b'],
      ]) {
        all.push(await create(name!, folder!));
        h.clock.advance(1000);
      }
    });
    after(() => h.close());

    for (const sortBy of ['name', 'id', 'relativePath']) {
      for (const sortOrder of ['asc', 'desc']) {
        it(`pages through every template by ${sortBy} ${sortOrder}, ties by id, nothing repeated or skipped`, async () => {
          const pages = await walk(`templates?includeItemsFromSubfolders=true&limit=2&sortBy=${sortBy.toUpperCase()}&sortOrder=${sortOrder}`);
          const expected = [...all].sort((a, b) => tupleOrder(keyOf(sortBy, a), keyOf(sortBy, b)) * (sortOrder === 'asc' ? 1 : -1));
          assert.deepEqual(idsOf(pages), expected.map((t) => t.id));
          assert.deepEqual(pages.map((page) => page.body.pageSize), [2, 2, 2, 2, 1]);
          assert.ok(pages.every((page) => page.body.total === all.length));
          assert.equal(pages.at(-1)!.body.links.nextPage, '');
        });
      }
    }

    it('answers the whole envelope, with an absolute nextPage link that keeps the other parameters', async () => {
      const reply = await api('templates?limit=1&sortBy=name&search=&folder=%2F');
      const first = all.find((t) => t.name === 'Alpha')!;
      assert.deepEqual(reply.body, {
        data: [
          {
            id: first.id,
            name: 'Alpha',
            relativePath: '/',
            extension: 'json',
            type: 0,
            width: null,
            height: null,
            metaData: {},
            dateCreated: at(START),
            lastModified: at(START),
          },
        ],
        pageSize: 1,
        links: { nextPage: reply.body.links.nextPage },
        total: 3,
      });
      const next = new URL(reply.body.links.nextPage);
      assert.equal(`${next.origin}${next.pathname}`, `${BASE}/paging/templates`);
      assert.deepEqual([...next.searchParams.keys()], ['limit', 'sortBy', 'folder', 'nextPageToken'], 'empty parameters dropped');
    });

    it('never repeats or skips an item when others are added between pages', async () => {
      await h.env('busy');
      const busyToken = await h.apiToken('busy');
      const page = (path: string) => h.api('busy', 'GET', path, { token: busyToken });
      const original: Created[] = [];
      for (const name of ['d', 'h', 'l', 'p', 't', 'x']) original.push(await create(name, '/', 'busy', busyToken));
      const first = await page('templates?limit=2');
      assert.deepEqual(first.body.data.map((t: Created) => t.name), ['d', 'h']);
      // One before the cursor (never shown: it sorts before where we are), one after (shown in order).
      await create('a', '/', 'busy', busyToken);
      await create('j', '/', 'busy', busyToken);
      const second = await page(first.body.links.nextPage.slice(`${BASE}/busy/`.length));
      assert.deepEqual(second.body.data.map((t: Created) => t.name), ['j', 'l']);
      assert.equal(second.body.total, 8);
      await h.api('busy', 'DELETE', `templates/${original[3]!.id}`, { token: busyToken });
      const third = await page(second.body.links.nextPage.slice(`${BASE}/busy/`.length));
      assert.deepEqual(third.body.data.map((t: Created) => t.name), ['t', 'x']);
      assert.equal(third.body.links.nextPage, '');
    });

    it('searches names case-insensitively as a plain substring (% and _ are literal), and ids exactly', async () => {
      const names = async (query: string) =>
        (await api(`templates?includeItemsFromSubfolders=true&sortBy=relativePath&${query}`)).body.data.map((t: Created) => t.name);
      assert.deepEqual(await names('search=ALPH'), ['Alpha', 'alpha', 'ALPHA']);
      assert.deepEqual(await names('search=_'), ['gamma_1']);
      assert.deepEqual(await names('search=%25'), ['gamma%2']);
      assert.deepEqual(await names('search=a%252'), ['gamma%2']);
      assert.deepEqual(await names('search=%C3%BCn'), ['Ünïcode'], 'ü matches Ü: lower-cased beyond ASCII');
      const zeta = all.find((t) => t.name === 'zeta')!;
      assert.deepEqual(await names(`search=${zeta.id}`), ['zeta']);
      assert.deepEqual(await names(`search=${zeta.id.toLowerCase()}`), [], 'ids match exactly');
      const total = (await api('templates?includeItemsFromSubfolders=true&search=beta')).body.total;
      assert.equal(total, 2);
    });

    it('lists one folder, its subfolders, and its directories first when includeFolders=true', async () => {
      const names = async (query: string) => (await api(`templates?${query}`)).body.data.map((t: Created) => t.name);
      assert.deepEqual(await names('folder=/'), ['Alpha', 'beta', 'Ünïcode'], 'a folder named: that folder only');
      assert.equal((await api('templates')).body.total, all.length, 'no folder named: the whole environment');
      assert.deepEqual(await names('folder=a'), ['alpha', 'Beta 2']);
      assert.deepEqual(await names('folder=/a/&includeItemsFromSubfolders=TRUE&sortBy=relativepath'), ['alpha', 'Beta 2', 'ALPHA', 'zeta', 'gamma_1']);
      assert.deepEqual(await names('folder=/nowhere'), []);

      const root = await api('templates?folder=/&includeFolders=true&limit=3');
      assert.deepEqual(root.body.data.slice(0, 2), [directory('/a'), directory('/z')]);
      assert.equal(root.body.data[2].name, 'Alpha');
      assert.equal(root.body.total, 5);
      const rest = await walk('templates?folder=/&includeFolders=true&limit=1&sortOrder=desc');
      assert.deepEqual(idsOf(rest).slice(0, 2), ['/z', '/a'], 'directories first, in the requested order');
      assert.equal(idsOf(rest).length, 5);

      const deep = await api('templates?folder=/a&includeFolders=true&includeItemsFromSubfolders=true&sortBy=id');
      assert.deepEqual(deep.body.data.slice(0, 2), [directory('/a/b'), directory('/a/b/c')]);
      assert.equal(deep.body.total, 7);
      const searched = await api('templates?includeFolders=true&includeItemsFromSubfolders=true&search=C');
      assert.deepEqual(searched.body.data.map((t: Created) => t.id).slice(0, 1), ['/a/b/c']);
    });

    it('takes the whole nextPage URL as nextPageToken, and keeps the token sort when none is given', async () => {
      const first = await api('templates?includeItemsFromSubfolders=true&limit=4&sortBy=id&sortOrder=desc');
      const url = first.body.links.nextPage;
      const token = new URL(url).searchParams.get('nextPageToken')!;
      const viaUrl = await api(`templates?nextPageToken=${encodeURIComponent(url)}`);
      const viaToken = await api(`templates?nextPageToken=${token}&sortBy=&sortOrder=DESC&limit=4`);
      assert.equal(viaUrl.status, 200);
      assert.deepEqual([viaUrl.body.data, viaUrl.body.total], [viaToken.body.data, viaToken.body.total]);
      const expected = [...all].sort((a, b) => byteOrder(b.id, a.id)).slice(4, 8).map((t) => t.id);
      assert.deepEqual(idsOf([viaUrl]), expected);
      assert.deepEqual(idsOf([await api(`templates?nextPageToken=${token}&limit=1`)]), expected.slice(0, 1), 'limit may change');
      const unencoded = await api(`templates?nextPageToken=${url}`);
      assert.deepEqual(idsOf([unencoded]), expected, 'the whole URL appended as is');
    });

    it('refuses a token with a different sort or filter, a malformed token, and bad parameters with 400', async () => {
      const first = await api('templates?limit=1&sortBy=name');
      const token = new URL(first.body.links.nextPage).searchParams.get('nextPageToken')!;
      const redo = 'differs from the one nextPageToken was made with; start again without nextPageToken to change it.';
      expectProblem(await api(`templates?nextPageToken=${token}&sortBy=id`), 400, `sortBy ${redo}`);
      expectProblem(await api(`templates?nextPageToken=${token}&sortOrder=desc`), 400, `sortOrder ${redo}`);
      expectProblem(await api(`templates?nextPageToken=${token}&folder=/a`), 400, `folder ${redo}`);
      expectProblem(await api(`templates?nextPageToken=${token}&search=x`), 400, `search ${redo}`);
      const malformed = 'nextPageToken is not a valid page token; use the nextPage link of the previous page.';
      expectProblem(await api('templates?nextPageToken=garbage!'), 400, malformed);
      expectProblem(await api(`templates?nextPageToken=${Buffer.from('{"v":99}').toString('base64url')}`), 400, malformed);
      expectProblem(await api(`templates?nextPageToken=${token.slice(0, -3)}`), 400, malformed);
      for (const limit of ['0', '101', 'abc', '1.5', '-1']) {
        expectProblem(await api(`templates?limit=${limit}`), 400, 'limit must be an integer from 1 to 100.');
      }
      expectProblem(await api('templates?sortBy=size'), 400, 'sortBy must be one of name, id, relativePath.');
      expectProblem(await api('templates?sortOrder=up'), 400, 'sortOrder must be asc or desc.');
      expectProblem(await api('templates?includeFolders=yes'), 400, 'includeFolders must be true or false.');
      expectProblem(await api('templates?folder=/a/../b'), 400, 'folder must not contain "." or ".." segments.');
      assert.equal((await api('templates?limit=100')).status, 200);
    });

    it('never lists another environment’s templates, even with its page token', async () => {
      const otherToken = await h.apiToken('other');
      await create('Other only', '/', 'other', otherToken);
      const first = await api('templates?limit=1');
      const reply = await h.api('other', 'GET', `templates?nextPageToken=${encodeURIComponent(first.body.links.nextPage)}`, { token: otherToken });
      assert.equal(reply.status, 200);
      assert.ok(reply.body.data.every((t: Created) => !all.some((mine) => mine.id === t.id)));
      assert.equal(reply.body.total, 1);
    });
  });
}
