import { ApiError } from './api-error.js';
import type { ListQuery, MediaItem, Page, PreviewType } from './api-types.js';
import { segments, unwrap, type ApiTransport } from './api-transport.js';
import { ListResource } from './list-resource.js';
import { fetchPage, paginate } from './pagination.js';
import { discard, parseRetryAfter } from './retry.js';
import { uploadForm } from './upload-form.js';

/**
 * How `media.preview` waits for a preview that is still being generated (202).
 *
 * @example
 * ```ts
 * import type { PreviewOptions } from '@latchkey/sdk';
 * const patient: PreviewOptions = { maxAttempts: 40, initialDelayMs: 250, maxDelayMs: 2_000 };
 * const image = await api.media.preview(id, 'highest', patient);
 * ```
 */
export interface PreviewOptions {
  /** Requests in all, the first included (default 20). */
  maxAttempts?: number;
  /** The first wait in milliseconds (default 200), doubled after each 202 up to `maxDelayMs`. */
  initialDelayMs?: number;
  /** The longest wait in milliseconds (default 2000); a `Retry-After` is honoured up to it. */
  maxDelayMs?: number;
}

/**
 * `media` (scopes `media:list|read|write`). Downloads and previews return the `Response`, so
 * the bytes can be streamed (`response.body`), buffered (`await response.arrayBuffer()`) or
 * turned into an object URL (`URL.createObjectURL(await response.blob())`), with their
 * `content-type` at hand.
 *
 * @example
 * ```ts
 * const item = await api.media.upload({ file: await openAsBlob('logo.png'), name: 'logo.png', folderPath: '/brand' });
 * const thumbnail = await api.media.preview(item.id, 'thumbnail');
 * await api.media.update(item.id, { folderPath: '/brand/2026' });
 * ```
 */
export class MediaResource extends ListResource<MediaItem> {
  /** @internal */
  constructor(
    transport: ApiTransport,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    super(transport, 'media');
  }

  /**
   * One folder level (`GET media/directory`), every item across pages.
   *
   * @example
   * ```ts
   * for await (const entry of api.media.directory({ folder: '/brand', includeFolders: true })) console.log(entry.type, entry.name);
   * ```
   */
  directory(query?: ListQuery): AsyncIterable<MediaItem> {
    return paginate<MediaItem>(this.transport, 'media/directory', query);
  }

  /**
   * One page of one folder level.
   *
   * @example
   * ```ts
   * const { data, links } = await api.media.directoryPage({ folder: '/', limit: 50 });
   * ```
   */
  directoryPage(query?: ListQuery): Promise<Page<MediaItem>> {
    return fetchPage<MediaItem>(this.transport, 'media/directory', query);
  }

  /**
   * One item (`GET media/{id}`, unwrapped from `{data}`).
   *
   * @example
   * ```ts
   * const { name, width, height } = await api.media.get(id);
   * ```
   */
  async get(id: string): Promise<MediaItem> {
    return unwrap(await this.transport.json('GET', segments('media', id)));
  }

  /**
   * The original bytes, as a `Response` (stream it or read it). `range` is sent as the `Range`
   * header (`bytes=0-1023`): the answer is then 206.
   *
   * @example
   * ```ts
   * const response = await api.media.download(id);
   * const bytes = new Uint8Array(await response.arrayBuffer());
   * console.log(response.headers.get('content-type'), bytes.length);
   * ```
   */
  download(id: string, options: { range?: string } = {}): Promise<Response> {
    return this.transport.send('GET', segments('media', id, 'download'), {
      headers: { accept: '*/*', ...(options.range ? { range: options.range } : {}) },
    });
  }

  /**
   * A preview image, as a `Response`. While the preview is generated the server answers 202 with
   * no body; this asks the same URL again with growing waits until it is ready, at most
   * `maxAttempts` times, then throws an {@link ApiError} with status 202.
   *
   * @example
   * ```ts
   * const response = await api.media.preview(id, 'thumbnail');
   * img.src = URL.createObjectURL(await response.blob());
   * ```
   */
  async preview(id: string, type: PreviewType, options: PreviewOptions = {}): Promise<Response> {
    const maxAttempts = Math.max(1, options.maxAttempts ?? 20);
    const maxDelayMs = options.maxDelayMs ?? 2_000;
    let delay = options.initialDelayMs ?? 200;
    const url = this.transport.url(segments('media', id, 'preview', type));
    for (let attempt = 1; ; attempt++) {
      const response = await this.transport.send('GET', url, { headers: { accept: 'image/*,*/*' } });
      if (response.status !== 202) return response;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      await discard(response);
      if (attempt >= maxAttempts) {
        throw new ApiError({
          status: 202,
          method: 'GET',
          url: url.href,
          message: `GET ${url.href}: the ${type} preview was still being generated after ${maxAttempts} attempts`,
        });
      }
      await this.sleep(Math.min(maxDelayMs, Math.max(delay, retryAfter ?? 0)));
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }

  /**
   * Uploads a file (`POST media?folderPath=&name=`, multipart field `file`): the created item.
   *
   * @example
   * ```ts
   * const input = document.querySelector('input[type=file]')!.files![0]!;
   * const item = await api.media.upload({ file: input, name: input.name, folderPath: '/uploads' });
   * ```
   */
  async upload(input: { file: Blob; name: string; folderPath?: string }): Promise<MediaItem> {
    const body = uploadForm('file', [{ file: input.file, fileName: input.name }]);
    return unwrap(await this.transport.json('POST', 'media', { query: { folderPath: input.folderPath, name: input.name }, body }));
  }

  /**
   * Renames and/or moves an item (`PATCH media/{id}`).
   *
   * @example
   * ```ts
   * await api.media.update(id, { name: 'logo-2026.png' });
   * ```
   */
  async update(id: string, change: { name?: string; folderPath?: string }): Promise<MediaItem> {
    return unwrap(await this.transport.json('PATCH', segments('media', id), { json: change }));
  }

  /**
   * Deletes the item, its bytes and its previews.
   *
   * @example
   * ```ts
   * await api.media.delete(id);
   * ```
   */
  async delete(id: string): Promise<void> {
    await this.transport.json('DELETE', segments('media', id));
  }
}
