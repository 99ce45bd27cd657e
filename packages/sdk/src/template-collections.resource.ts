import type { ListQuery, Page, TemplateCollection, TemplateItem } from './api-types.js';
import { segments, unwrap, type ApiTransport } from './api-transport.js';
import { ListResource } from './list-resource.js';
import { fetchPage, paginate } from './pagination.js';

/**
 * `template-collections` (scopes `template_collection:list|read|write`).
 *
 * @example
 * ```ts
 * const collection = await api.templateCollections.create({ name: 'Spring', description: 'Campaign' });
 * await api.templateCollections.addTemplate(collection.id, templateId);
 * ```
 */
export class TemplateCollectionsResource extends ListResource<TemplateCollection> {
  /** @internal */
  constructor(transport: ApiTransport) {
    super(transport, 'template-collections');
  }

  /**
   * One collection.
   *
   * @example
   * ```ts
   * const { name } = await api.templateCollections.get(id);
   * ```
   */
  async get(id: string): Promise<TemplateCollection> {
    return unwrap(await this.transport.json('GET', segments('template-collections', id)));
  }

  /**
   * Creates a collection (a duplicate name is 400).
   *
   * @example
   * ```ts
   * const collection = await api.templateCollections.create({ name: 'Spring' });
   * ```
   */
  async create(input: { name: string; description?: string }): Promise<TemplateCollection> {
    return unwrap(await this.transport.json('POST', 'template-collections', { json: input }));
  }

  /**
   * Changes the given fields only (PATCH).
   *
   * @example
   * ```ts
   * await api.templateCollections.update(id, { description: 'Spring 2026' });
   * ```
   */
  async update(id: string, patch: { name?: string; description?: string }): Promise<TemplateCollection> {
    return unwrap(await this.transport.json('PATCH', segments('template-collections', id), { json: patch }));
  }

  /**
   * Deletes the collection (its templates stay).
   *
   * @example
   * ```ts
   * await api.templateCollections.delete(id);
   * ```
   */
  async delete(id: string): Promise<void> {
    await this.transport.json('DELETE', segments('template-collections', id));
  }

  /**
   * Every template of the collection, across pages.
   *
   * @example
   * ```ts
   * for await (const template of api.templateCollections.templates(collectionId)) console.log(template.name);
   * ```
   */
  templates(id: string, query?: ListQuery): AsyncIterable<TemplateItem> {
    return paginate<TemplateItem>(this.transport, segments('template-collections', id, 'templates'), query);
  }

  /**
   * One page of the collection's templates.
   *
   * @example
   * ```ts
   * const { data, total } = await api.templateCollections.templatesPage(collectionId, { limit: 10 });
   * ```
   */
  templatesPage(id: string, query?: ListQuery): Promise<Page<TemplateItem>> {
    return fetchPage<TemplateItem>(this.transport, segments('template-collections', id, 'templates'), query);
  }

  /**
   * Adds a template to the collection; answers the collection.
   *
   * @example
   * ```ts
   * const { templateCount } = await api.templateCollections.addTemplate(collectionId, templateId);
   * ```
   */
  async addTemplate(id: string, templateId: string): Promise<TemplateCollection> {
    return unwrap(await this.transport.json('PUT', segments('template-collections', id, 'templates', templateId)));
  }

  /**
   * Removes a template from the collection (the template stays); answers the collection.
   *
   * @example
   * ```ts
   * await api.templateCollections.removeTemplate(collectionId, templateId);
   * ```
   */
  async removeTemplate(id: string, templateId: string): Promise<TemplateCollection> {
    return unwrap(await this.transport.json('DELETE', segments('template-collections', id, 'templates', templateId)));
  }
}
