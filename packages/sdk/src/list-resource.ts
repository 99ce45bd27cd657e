import type { ListQuery, Page } from './api-types.js';
import type { ApiTransport } from './api-transport.js';
import { fetchPage, paginate } from './pagination.js';

/**
 * What every listable resource of {@link EnvironmentApi} offers: `list()` iterates over every
 * item across pages, `page()` fetches one page.
 *
 * @example
 * ```ts
 * for await (const item of api.media.list({ folder: '/logos' })) console.log(item.name);
 * const first = await api.media.page({ limit: 10 });
 * ```
 */
export abstract class ListResource<T> {
  /** @internal */
  protected constructor(
    /** @internal */ protected readonly transport: ApiTransport,
    /** @internal */ protected readonly path: string,
  ) {}

  /**
   * Every item, across all pages (follows `links.nextPage` until it is `""`). Pages are fetched
   * lazily, one at a time, as the loop asks for more; `limit` sets the page size.
   *
   * @example
   * ```ts
   * const names: string[] = [];
   * for await (const template of api.templates.list({ search: 'flyer', sortBy: 'name' })) names.push(template.name);
   * ```
   */
  list(query?: ListQuery): AsyncIterable<T> {
    return paginate<T>(this.transport, this.path, query);
  }

  /**
   * One page: `{ data, pageSize, links: { nextPage }, total }`. Pass `links.nextPage` (or the
   * bare token) as `nextPageToken` to get the next.
   *
   * @example
   * ```ts
   * const first = await api.templates.page({ limit: 20 });
   * const second = first.links.nextPage ? await api.templates.page({ limit: 20, nextPageToken: first.links.nextPage }) : undefined;
   * ```
   */
  page(query?: ListQuery): Promise<Page<T>> {
    return fetchPage<T>(this.transport, this.path, query);
  }
}
