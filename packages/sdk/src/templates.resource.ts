import type { TemplateDocument, TemplateItem } from './api-types.js';
import { segments, unwrap, type ApiTransport } from './api-transport.js';
import { ListResource } from './list-resource.js';

/**
 * `templates` (scopes `template:list|read|write`). A template's document is sent and returned as
 * parsed JSON (or, for `create` and `replace`, a string of JSON passed through unchanged).
 *
 * @example
 * ```ts
 * const created = await api.templates.create({ name: 'Flyer', folderPath: '/spring', document });
 * const document = await api.templates.download(created.id);
 * await api.templates.move(created.id, { folderPath: '/archive' });
 * ```
 */
export class TemplatesResource extends ListResource<TemplateItem> {
  /** @internal */
  constructor(transport: ApiTransport) {
    super(transport, 'templates');
  }

  /**
   * One template's item (`GET templates/{id}`, unwrapped from `{data}`).
   *
   * @example
   * ```ts
   * const { name, relativePath } = await api.templates.get(id);
   * ```
   */
  async get(id: string): Promise<TemplateItem> {
    return unwrap(await this.transport.json('GET', segments('templates', id)));
  }

  /**
   * The template's document (`GET templates/{id}/download`), parsed.
   *
   * @example
   * ```ts
   * const document = await api.templates.download(id);
   * ```
   */
  download(id: string): Promise<TemplateDocument> {
    return this.transport.json('GET', segments('templates', id, 'download'));
  }

  /**
   * Creates a template from a document (`POST templates?name=&folderPath=`): 201, the new item.
   *
   * @example
   * ```ts
   * const item = await api.templates.create({ name: 'Flyer', folderPath: '/spring', document: JSON.parse(json) });
   * ```
   */
  async create(input: { name: string; folderPath?: string; document: TemplateDocument | string }): Promise<TemplateItem> {
    return unwrap(await this.transport.json('POST', 'templates', { query: { name: input.name, folderPath: input.folderPath }, json: input.document }));
  }

  /**
   * Replaces the template's document (`PUT templates/{id}` with a JSON body).
   *
   * @example
   * ```ts
   * await api.templates.replace(id, { ...document, pages: newPages });
   * ```
   */
  async replace(id: string, document: TemplateDocument | string): Promise<TemplateItem> {
    return unwrap(await this.transport.json('PUT', segments('templates', id), { json: document }));
  }

  /**
   * Renames and/or moves the template (`PUT templates/{id}?name=&folderPath=`, no body).
   *
   * @example
   * ```ts
   * await api.templates.move(id, { name: 'Flyer (old)', folderPath: '/archive' });
   * ```
   */
  async move(id: string, to: { name?: string; folderPath?: string }): Promise<TemplateItem> {
    return unwrap(await this.transport.json('PUT', segments('templates', id), { query: { name: to.name, folderPath: to.folderPath } }));
  }

  /**
   * Deletes the template. One that belongs to a collection needs `force: true` (else 409).
   *
   * @example
   * ```ts
   * await api.templates.delete(id, { force: true });
   * ```
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<void> {
    await this.transport.json('DELETE', segments('templates', id), { query: { force: options.force ? 'true' : undefined } });
  }
}
