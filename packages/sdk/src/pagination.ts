import type { ListQuery, Page } from './api-types.js';
import type { ApiTransport, Query } from './api-transport.js';

function toQuery(query: ListQuery | undefined): Query {
  return { ...(query as Query | undefined) };
}

/** A page as the API answers it; a bare array (a route without paging) becomes one last page. @internal */
function asPage<T>(body: unknown): Page<T> {
  if (Array.isArray(body)) return { data: body as T[], pageSize: body.length, links: { nextPage: '' }, total: body.length };
  const page = body as Partial<Page<T>> | undefined;
  const data = Array.isArray(page?.data) ? page.data : [];
  return {
    ...page,
    data,
    pageSize: typeof page?.pageSize === 'number' ? page.pageSize : data.length,
    links: { ...page?.links, nextPage: typeof page?.links?.nextPage === 'string' ? page.links.nextPage : '' },
    total: typeof page?.total === 'number' ? page.total : data.length,
  };
}

/** One page of a listing. @internal */
export async function fetchPage<T>(transport: ApiTransport, path: string, query?: ListQuery): Promise<Page<T>> {
  return asPage<T>(await transport.json('GET', path, { query: toQuery(query) }));
}

/**
 * The next page's URL. `nextPage` is an absolute URL built from the server's PUBLIC_URL, which
 * need not be the address this client uses (a proxy, an internal name): its query (the page
 * token, and whatever else the server put there) is applied to our own base and path, so the
 * bearer token only ever goes where the caller pointed the client. A `nextPage` without a
 * `nextPageToken` is followed as is, and only on the same origin.
 */
function nextUrl(transport: ApiTransport, path: string, query: Query, nextPage: string): URL {
  const next = new URL(nextPage, transport.base);
  if (next.searchParams.has('nextPageToken')) {
    const url = transport.url(path, { ...query, nextPageToken: undefined });
    for (const [name, value] of next.searchParams) url.searchParams.set(name, value);
    return url;
  }
  if (next.origin !== new URL(transport.base).origin) {
    throw new Error(`links.nextPage ${nextPage} has no nextPageToken and points to another origin: not followed`);
  }
  return next;
}

/**
 * Every item of a listing, page after page, following `links.nextPage` until it is `""`.
 * Pages are fetched one at a time, as the loop asks for them.
 *
 * @internal
 */
export async function* paginate<T>(transport: ApiTransport, path: string, query?: ListQuery): AsyncGenerator<T, void, undefined> {
  const base = toQuery(query);
  let page = await fetchPage<T>(transport, path, query);
  const seen = new Set<string>();
  while (true) {
    yield* page.data;
    const nextPage = page.links.nextPage;
    if (!nextPage) return;
    const url = nextUrl(transport, path, base, nextPage);
    // A server that hands out the same page again would make this loop forever.
    if (seen.has(url.href)) throw new Error(`links.nextPage repeats ${url.href}: stopping`);
    seen.add(url.href);
    page = asPage<T>(await transport.json('GET', url));
  }
}
