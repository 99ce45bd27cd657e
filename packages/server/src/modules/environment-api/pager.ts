import { lastSegment, parentOf, ROOT } from './paths.ts';
import { sortKeyOf, type ListRequest, type Page, type Position } from './paging.ts';

/** A directory of a list: a folder that holds items (at any depth), derived from their paths. */
export interface FolderEntry {
  /** The folder's path, which is also its id. */
  path: string;
  name: string;
  /** The folder above it (its relativePath). */
  parent: string;
}

/** Where a list's items come from: the repository, narrowed to one environment and one filter. */
export interface ItemSource<T> {
  count(): Promise<number>;
  /** Items in the request's order, strictly after `after` (a sort key) when given. */
  items(after: string[] | null, limit: number): Promise<T[]>;
  keysOf(item: T): string[];
  /** The distinct folder paths of items at or below the request's folder (for includeFolders). */
  folderPaths(): Promise<string[]>;
}

/** Code point order: what SQLite's BINARY and PostgreSQL's "C" collation use for the items. */
const compareText = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = compareText(a[i]!, b[i] ?? '');
    if (order !== 0) return order;
  }
  return 0;
}

const folderKeys = (request: ListRequest, folder: FolderEntry): string[] =>
  sortKeyOf(request.sortBy, { id: folder.path, nameKey: folder.name.toLowerCase(), folder: folder.parent });

/**
 * The folders below `request.folder`: its children, or every descendant with
 * includeItemsFromSubfolders; filtered by `search` like items are.
 */
export function deriveFolders(paths: readonly string[], request: ListRequest): FolderEntry[] {
  const found = new Set<string>();
  const base = request.folder === ROOT ? '' : request.folder;
  for (const path of paths) {
    if (!path.startsWith(`${base}/`) || path === request.folder) continue;
    const below = path.slice(base.length + 1).split('/');
    const depth = request.includeSubfolders ? below.length : 1;
    for (let i = 1; i <= depth; i++) found.add(`${base}/${below.slice(0, i).join('/')}`);
  }
  const search = request.search;
  const needle = search?.toLowerCase();
  return [...found]
    .map((path) => ({ path, name: lastSegment(path), parent: parentOf(path) }))
    .filter((folder) => !search || folder.name.toLowerCase().includes(needle!) || folder.path === search);
}

/**
 * One page of a list: folder entries first (in the request's sort), then items, both by keyset,
 * so nothing repeats or goes missing while others are added. Asks for one entry more than the
 * page holds, to know whether a next page exists without a second count.
 */
export async function pageOf<T>(request: ListRequest, source: ItemSource<T>): Promise<Page<T, FolderEntry>> {
  const direction = request.sortOrder === 'asc' ? 1 : -1;
  const [folders, itemCount] = await Promise.all([
    request.includeFolders ? source.folderPaths().then((paths) => deriveFolders(paths, request)) : Promise.resolve([]),
    source.count(),
  ]);
  folders.sort((a, b) => direction * compareKeys(folderKeys(request, a), folderKeys(request, b)));
  const after = request.after;
  const wanted = request.limit + 1;
  const pageFolders =
    after?.kind === 'item' ? [] : folders.filter((f) => !after || direction * compareKeys(folderKeys(request, f), after.keys) > 0).slice(0, wanted);
  const items = pageFolders.length < wanted ? await source.items(after?.kind === 'item' ? after.keys : null, wanted - pageFolders.length) : [];

  let next: Position | null = null;
  if (pageFolders.length + items.length > request.limit) {
    if (pageFolders.length >= request.limit) {
      pageFolders.length = request.limit;
      items.length = 0;
      next = { kind: 'folder', keys: folderKeys(request, pageFolders[pageFolders.length - 1]!) };
    } else {
      items.length = request.limit - pageFolders.length;
      next = { kind: 'item', keys: source.keysOf(items[items.length - 1]!) };
    }
  }
  return { folders: pageFolders, items, total: folders.length + itemCount, next };
}
