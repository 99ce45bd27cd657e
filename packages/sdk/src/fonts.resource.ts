import type { FontFamily, FontStyle, FontStyleCorrection, FontUploadBatch, ListQuery, NamedBlob, Page, PreloadedFontStyle } from './api-types.js';
import { segments, unwrap, type ApiTransport } from './api-transport.js';
import { ListResource } from './list-resource.js';
import { fetchPage, paginate } from './pagination.js';
import { uploadForm } from './upload-form.js';

/**
 * `font-families` (scopes `font:list|read|write`).
 *
 * @example
 * ```ts
 * for await (const family of api.fontFamilies.list()) {
 *   for await (const style of api.fontFamilies.styles(family.id)) console.log(family.name, style.name);
 * }
 * ```
 */
export class FontFamiliesResource extends ListResource<FontFamily> {
  /** @internal */
  constructor(transport: ApiTransport) {
    super(transport, 'font-families');
  }

  /**
   * Every style of a family, across pages.
   *
   * @example
   * ```ts
   * const styles: string[] = [];
   * for await (const style of api.fontFamilies.styles(familyId)) styles.push(style.name);
   * ```
   */
  styles(familyId: string, query?: ListQuery): AsyncIterable<FontStyle> {
    return paginate<FontStyle>(this.transport, segments('font-families', familyId, 'styles'), query);
  }

  /**
   * One page of a family's styles.
   *
   * @example
   * ```ts
   * const { data } = await api.fontFamilies.stylesPage(familyId, { limit: 10 });
   * ```
   */
  stylesPage(familyId: string, query?: ListQuery): Promise<Page<FontStyle>> {
    return fetchPage<FontStyle>(this.transport, segments('font-families', familyId, 'styles'), query);
  }

  /**
   * Deletes families (and their styles): `DELETE font-families?ids=a,b`.
   *
   * @example
   * ```ts
   * await api.fontFamilies.delete([familyId]);
   * ```
   */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transport.json('DELETE', 'font-families', { query: { ids: ids.join(',') } });
  }
}

/**
 * Options of `fontStyles.upload`: name corrections for step 2, given as a list or computed from
 * what the server read from the files.
 *
 * @example
 * ```ts
 * import type { FontUploadOptions } from '@latchkey/sdk';
 * const options: FontUploadOptions = {
 *   corrections: (preloaded) => preloaded.map((p) => ({ fontStyleId: p.id, familyName: 'Brand Sans', styleName: p.name })),
 * };
 * ```
 */
export interface FontUploadOptions {
  corrections?:
    | readonly FontStyleCorrection[]
    | ((preloaded: PreloadedFontStyle[]) => readonly FontStyleCorrection[] | undefined | Promise<readonly FontStyleCorrection[] | undefined>);
}

/**
 * What `fontStyles.upload` resolves to: the batch, what the server read from each file, and the
 * confirmation's answer.
 *
 * @example
 * ```ts
 * import type { FontUploadResult } from '@latchkey/sdk';
 * const result: FontUploadResult = await api.fontStyles.upload([file]);
 * const refused = result.preloaded.filter((p) => !p.canBeUploaded);
 * ```
 */
export interface FontUploadResult {
  batchId: string;
  preloaded: PreloadedFontStyle[];
  confirmed: unknown;
}

/**
 * `font-styles` (scopes `font:read|write`), including GraFx's three-step upload.
 *
 * @example
 * ```ts
 * const { preloaded } = await api.fontStyles.upload([new File([bytes], 'Inter-Bold.ttf')]);
 * const style = await api.fontStyles.get(preloaded[0]!.id);
 * ```
 */
export class FontStylesResource {
  /** @internal */
  constructor(private readonly transport: ApiTransport) {}

  /**
   * One style.
   *
   * @example
   * ```ts
   * const { familyName, fileName } = await api.fontStyles.get(id);
   * ```
   */
  async get(id: string): Promise<FontStyle> {
    return unwrap(await this.transport.json('GET', segments('font-styles', id)));
  }

  /**
   * The font file, as a `Response`.
   *
   * @example
   * ```ts
   * const response = await api.fontStyles.download(id);
   * const font = new FontFace('Brand', await response.arrayBuffer());
   * ```
   */
  download(id: string): Promise<Response> {
    return this.transport.send('GET', segments('font-styles', id, 'download'), { headers: { accept: '*/*' } });
  }

  /**
   * Deletes styles: `DELETE font-styles?ids=a,b`.
   *
   * @example
   * ```ts
   * await api.fontStyles.delete([styleId]);
   * ```
   */
  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.transport.json('DELETE', 'font-styles', { query: { ids: ids.join(',') } });
  }

  /**
   * Uploads font files (TTF, OTF, WOFF, WOFF2) in GraFx's three steps: send them to a temp batch,
   * apply `corrections` if any, confirm.
   *
   * @example
   * ```ts
   * const result = await api.fontStyles.upload([regular, bold], {
   *   corrections: (preloaded) => preloaded.map((p) => ({ fontStyleId: p.id, familyName: 'Brand Sans', styleName: p.name })),
   * });
   * ```
   */
  async upload(files: readonly NamedBlob[], options: FontUploadOptions = {}): Promise<FontUploadResult> {
    const batch = await this.startUpload(files);
    const preloaded = batch.data?.preloadedData ?? [];
    const corrections = typeof options.corrections === 'function' ? await options.corrections(preloaded) : options.corrections;
    if (corrections && corrections.length > 0) await this.correctUpload(batch.batchId, corrections);
    const confirmed = await this.confirmUpload(batch.batchId);
    return { batchId: batch.batchId, preloaded, confirmed };
  }

  /**
   * Step 1: `POST font-styles/temp` (multipart, field `file` per file) → the batch and what the
   * server read from each file.
   *
   * @example
   * ```ts
   * const batch = await api.fontStyles.startUpload([file]);
   * ```
   */
  async startUpload(files: readonly NamedBlob[]): Promise<FontUploadBatch> {
    if (files.length === 0) throw new TypeError('fontStyles.upload needs at least one file');
    return this.transport.json('POST', 'font-styles/temp', { body: uploadForm('file', files) });
  }

  /**
   * Step 2 (optional): corrects family and style names in the batch.
   *
   * @example
   * ```ts
   * await api.fontStyles.correctUpload(batch.batchId, [{ fontStyleId: id, familyName: 'Brand Sans', styleName: 'Bold' }]);
   * ```
   */
  correctUpload(batchId: string, corrections: readonly FontStyleCorrection[]): Promise<unknown> {
    return this.transport.json('PATCH', segments('font-styles', 'temp', batchId), { json: corrections });
  }

  /**
   * Step 3: stores the batch's fonts.
   *
   * @example
   * ```ts
   * await api.fontStyles.confirmUpload(batch.batchId);
   * ```
   */
  confirmUpload(batchId: string): Promise<unknown> {
    return this.transport.json('POST', segments('font-styles', 'temp', batchId, 'confirm'));
  }
}
