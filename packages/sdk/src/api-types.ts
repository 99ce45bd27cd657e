/**
 * A media or template item (SPEC §4 "Items"): `type` 0 is an item, 1 a directory; fields that do
 * not apply are `null`.
 *
 * @example
 * ```ts
 * import type { Item } from '@latchkey/sdk';
 * const folder = (item: Item) => item.type === 1;
 * ```
 */
export interface Item {
  id: string;
  name: string;
  relativePath: string | null;
  extension: string | null;
  type: 0 | 1;
  width: number | null;
  height: number | null;
  metaData: Record<string, unknown> | null;
  dateCreated: string | null;
  lastModified: string | null;
}

/**
 * A template as listed and returned by `templates.get` (an {@link Item}).
 *
 * @example
 * ```ts
 * import type { TemplateItem } from '@latchkey/sdk';
 * const label = (t: TemplateItem) => `${t.relativePath ?? ''}/${t.name}`;
 * ```
 */
export type TemplateItem = Item;

/**
 * A media file or folder (an {@link Item}).
 *
 * @example
 * ```ts
 * import type { MediaItem } from '@latchkey/sdk';
 * const isImage = (m: MediaItem) => m.width !== null;
 * ```
 */
export type MediaItem = Item;

/**
 * A template document: the GraFx JSON the editor loads and saves. The SDK passes it through
 * untouched.
 *
 * @example
 * ```ts
 * import type { TemplateDocument } from '@latchkey/sdk';
 * const document: TemplateDocument = await api.templates.download(id);
 * ```
 */
export type TemplateDocument = Record<string, unknown>;

/**
 * One page of a listing (SPEC §4 "Lists"). `links.nextPage` is the next page's absolute URL, or
 * `""` on the last page.
 *
 * @example
 * ```ts
 * import type { Page, TemplateItem } from '@latchkey/sdk';
 * const page: Page<TemplateItem> = await api.templates.page({ limit: 50 });
 * const more = page.links.nextPage !== '';
 * ```
 */
export interface Page<T> {
  data: T[];
  pageSize: number;
  links: { nextPage: string; [link: string]: unknown };
  total: number;
}

/**
 * Query parameters of every listing. `nextPageToken` takes the bare token or a whole `nextPage`
 * URL (`page()` only: `list()` follows the pages itself).
 *
 * @example
 * ```ts
 * import type { ListQuery } from '@latchkey/sdk';
 * const query: ListQuery = { folder: '/campaigns', includeItemsFromSubfolders: true, sortBy: 'name', limit: 100 };
 * ```
 */
export interface ListQuery {
  limit?: number;
  search?: string;
  sortBy?: 'name' | 'id' | 'relativePath';
  sortOrder?: 'asc' | 'desc';
  folder?: string;
  includeFolders?: boolean;
  includeItemsFromSubfolders?: boolean;
  nextPageToken?: string;
}

/**
 * A template collection.
 *
 * @example
 * ```ts
 * import type { TemplateCollection } from '@latchkey/sdk';
 * const collection: TemplateCollection = await api.templateCollections.create({ name: 'Spring' });
 * ```
 */
export interface TemplateCollection {
  id: string;
  name: string;
  description: string;
  templateCount: number;
  dateCreated: string;
  lastModified: string;
  [member: string]: unknown;
}

/**
 * A project: the integration's own copy of a template's document.
 *
 * @example
 * ```ts
 * import type { Project } from '@latchkey/sdk';
 * const project: Project = await api.projects.create({ templateId, name: 'Flyer for Ann' });
 * ```
 */
export interface Project {
  id: string;
  name: string;
  template: { id: string };
  dateCreated: string;
  lastModified: string;
  [member: string]: unknown;
}

/**
 * A font family (GraFx `font-families`).
 *
 * @example
 * ```ts
 * import type { FontFamily } from '@latchkey/sdk';
 * for await (const family of api.fontFamilies.list()) console.log(family.name, family.fontStylesCount);
 * ```
 */
export interface FontFamily {
  id: string;
  name: string;
  fontStylesCount: number;
  dateCreated: string;
  lastModifiedDate: string;
  extensions: string[];
  [member: string]: unknown;
}

/**
 * A font style: one font file of a family.
 *
 * @example
 * ```ts
 * import type { FontStyle } from '@latchkey/sdk';
 * const style: FontStyle = await api.fontStyles.get(id);
 * ```
 */
export interface FontStyle {
  id: string;
  name: string;
  familyId: string;
  familyName: string;
  dateCreated: string;
  extension: string;
  fileName: string;
  fileSize: number;
  [member: string]: unknown;
}

/**
 * A font read from an uploaded file, waiting in a temp batch for confirmation.
 *
 * @example
 * ```ts
 * import type { PreloadedFontStyle } from '@latchkey/sdk';
 * const rejected = (styles: PreloadedFontStyle[]) => styles.filter((s) => !s.canBeUploaded);
 * ```
 */
export interface PreloadedFontStyle {
  id: string;
  name: string;
  familyName: string;
  fileName: string;
  errors: unknown[];
  canBeUploaded: boolean;
  [member: string]: unknown;
}

/**
 * The answer to step 1 of a font upload (`POST font-styles/temp`).
 *
 * @example
 * ```ts
 * import type { FontUploadBatch } from '@latchkey/sdk';
 * const batch: FontUploadBatch = await api.fontStyles.startUpload([file]);
 * console.log(batch.batchId, batch.data.preloadedData);
 * ```
 */
export interface FontUploadBatch {
  batchId: string;
  links?: Record<string, unknown>;
  data: { fontFamilies?: unknown[]; preloadedData: PreloadedFontStyle[]; [member: string]: unknown };
  [member: string]: unknown;
}

/**
 * A name correction for step 2 of a font upload (`PATCH font-styles/temp/{batchId}`).
 *
 * @example
 * ```ts
 * import type { FontStyleCorrection } from '@latchkey/sdk';
 * const fix: FontStyleCorrection = { fontStyleId: preloaded.id, familyName: 'Inter', styleName: 'Bold' };
 * ```
 */
export interface FontStyleCorrection {
  fontStyleId: string;
  familyName: string;
  styleName: string;
}

/**
 * A file to upload: a `File` (its name is used) or a `Blob` with the file name to send.
 *
 * @example
 * ```ts
 * import type { NamedBlob } from '@latchkey/sdk';
 * const font: NamedBlob = { file: new Blob([bytes]), fileName: 'Inter-Bold.ttf' };
 * ```
 */
export type NamedBlob = Blob | { file: Blob; fileName: string };

/**
 * Preview renditions of a media item (any case on the wire).
 *
 * @example
 * ```ts
 * import type { PreviewType } from '@latchkey/sdk';
 * const type: PreviewType = 'thumbnail';
 * ```
 */
export type PreviewType = 'thumbnail' | 'medium' | 'highest' | 'fullOrVector' | 'highestOrVector' | 'x4096';
