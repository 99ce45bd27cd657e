import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveFolders } from '../src/modules/environment-api/pager.ts';
import { encodePageToken, nextPageUrl, parseListQuery, type ListRequest } from '../src/modules/environment-api/paging.ts';
import { normalizeFolderPath, validateItemName } from '../src/modules/environment-api/paths.ts';

const folders = { folders: true };
const defaults: ListRequest = {
  limit: 25,
  sortBy: 'name',
  sortOrder: 'asc',
  search: null,
  folder: '/',
  includeFolders: false,
  // No folder named: the whole environment.
  includeSubfolders: true,
  after: null,
};

describe('list queries', () => {
  it('defaults to 25 by name ascending over the whole environment, and treats empty parameters as absent', () => {
    assert.deepEqual(parseListQuery({}, folders), defaults);
    assert.deepEqual(parseListQuery({ limit: '', sortBy: '', sortOrder: '', search: '', folder: '', includeFolders: '' }, folders), defaults);
  });

  it('reads sortBy, sortOrder and booleans in any case, and normalises the folder', () => {
    const request = parseListQuery(
      { sortBy: 'RELATIVEPATH', sortOrder: 'Desc', includeFolders: 'TRUE', includeItemsFromSubfolders: 'False', folder: 'a/b/', limit: '100', search: 'Q' },
      folders,
    );
    assert.deepEqual(request, { ...defaults, limit: 100, sortBy: 'relativePath', sortOrder: 'desc', includeFolders: true, includeSubfolders: false, folder: '/a/b', search: 'Q' });
  });

  it('round-trips a page token, carrying sort, filters and limit', () => {
    const request = { ...defaults, sortBy: 'id' as const, sortOrder: 'desc' as const, search: 'x', limit: 7 };
    const token = encodePageToken(request, { kind: 'item', keys: ['tpl_1'] });
    assert.deepEqual(parseListQuery({ nextPageToken: token }, folders), { ...request, after: { kind: 'item', keys: ['tpl_1'] } });
    const url = nextPageUrl('http://x.test/', '/grafx/api/v1/environment/demo/templates?limit=7&nextPageToken=old', token);
    assert.equal(url, `http://x.test/grafx/api/v1/environment/demo/templates?limit=7&nextPageToken=${token}`);
    assert.deepEqual(parseListQuery({ nextPageToken: url }, folders).after, { kind: 'item', keys: ['tpl_1'] });
  });

  it('refuses a token whose keys do not fit its sort, or a folder entry without includeFolders', () => {
    const forged = (body: object) => Buffer.from(JSON.stringify({ v: 1, s: 'name', o: 'asc', q: null, f: '/', d: false, r: false, l: 5, k: 'item', a: ['a', 'b'], ...body })).toString('base64url');
    assert.doesNotThrow(() => parseListQuery({ nextPageToken: forged({}) }, folders));
    assert.throws(() => parseListQuery({ nextPageToken: forged({ a: ['a'] }) }, folders), /not a valid page token/);
    assert.throws(() => parseListQuery({ nextPageToken: forged({ k: 'folder' }) }, folders), /not a valid page token/);
    assert.throws(() => parseListQuery({ nextPageToken: forged({ f: '/a/../b' }) }, folders), /not a valid page token/);
    assert.throws(() => parseListQuery({ nextPageToken: forged({ l: 1000 }) }, folders), /not a valid page token/);
    assert.throws(() => parseListQuery({ nextPageToken: forged({ d: true }) }, { folders: false }), /not a page token of this list/);
  });
});

describe('folder paths and names', () => {
  it('normalises the unambiguous and refuses the rest', () => {
    assert.equal(normalizeFolderPath(''), '/');
    assert.equal(normalizeFolderPath('/'), '/');
    assert.equal(normalizeFolderPath('a'), '/a');
    assert.equal(normalizeFolderPath('/a/b/'), '/a/b');
    assert.equal(normalizeFolderPath('/a b/ü'), '/a b/ü');
    for (const bad of ['/a//b', '//', '/a/./b', '/..', 'a\\b', '/a\u0000', '/a\u0085', `/${'x'.repeat(256)}`, '/ /a']) {
      assert.throws(() => normalizeFolderPath(bad), { name: 'AppError' }, bad);
    }
  });

  it('counts length in characters, not UTF-16 units', () => {
    assert.equal(validateItemName('😀'.repeat(255)), '😀'.repeat(255));
    assert.throws(() => validateItemName('😀'.repeat(256)), /at most 255/);
  });
});

describe('derived folders', () => {
  const paths = ['/a', '/a/b/c', '/z', '/zz/y'];
  it('lists the children of a folder, or every descendant with subfolders', () => {
    const oneLevel = { ...defaults, includeSubfolders: false };
    assert.deepEqual(deriveFolders(paths, oneLevel).map((f) => f.path), ['/a', '/z', '/zz']);
    assert.deepEqual(deriveFolders(paths, { ...oneLevel, folder: '/a' }).map((f) => f.path), ['/a/b']);
    assert.deepEqual(deriveFolders(paths, { ...defaults, folder: '/a', includeSubfolders: true }), [
      { path: '/a/b', name: 'b', parent: '/a' },
      { path: '/a/b/c', name: 'c', parent: '/a/b' },
    ]);
    assert.deepEqual(deriveFolders(paths, { ...oneLevel, search: 'Z' }).map((f) => f.path), ['/z', '/zz']);
  });
});
