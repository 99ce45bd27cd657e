import type { Project, TemplateDocument } from './api-types.js';
import { segments, unwrap, type ApiTransport } from './api-transport.js';
import { ListResource } from './list-resource.js';

/**
 * `projects` (scopes `myproject:list|read|write`): copies of a template's document owned by the
 * integration that created them (other integrations see none of them).
 *
 * @example
 * ```ts
 * const project = await api.projects.create({ templateId, name: 'Flyer for Ann' });
 * const document = await api.projects.getDocument(project.id);
 * await api.projects.saveDocument(project.id, { ...document, title: 'Ann' });
 * ```
 */
export class ProjectsResource extends ListResource<Project> {
  /** @internal */
  constructor(transport: ApiTransport) {
    super(transport, 'projects');
  }

  /**
   * One project.
   *
   * @example
   * ```ts
   * const { name, template } = await api.projects.get(id);
   * ```
   */
  async get(id: string): Promise<Project> {
    return unwrap(await this.transport.json('GET', segments('projects', id)));
  }

  /**
   * Creates a project from a template (`POST projects {template: {id}, name?}`).
   *
   * @example
   * ```ts
   * const project = await api.projects.create({ templateId: template.id, name: 'Draft' });
   * ```
   */
  async create(input: { templateId: string; name?: string }): Promise<Project> {
    const body = { template: { id: input.templateId }, ...(input.name !== undefined ? { name: input.name } : {}) };
    return unwrap(await this.transport.json('POST', 'projects', { json: body }));
  }

  /**
   * Renames the project (`PATCH projects/{id} {name}`).
   *
   * @example
   * ```ts
   * await api.projects.rename(id, 'Final');
   * ```
   */
  async rename(id: string, name: string): Promise<Project> {
    return unwrap(await this.transport.json('PATCH', segments('projects', id), { json: { name } }));
  }

  /**
   * Deletes the project.
   *
   * @example
   * ```ts
   * await api.projects.delete(id);
   * ```
   */
  async delete(id: string): Promise<void> {
    await this.transport.json('DELETE', segments('projects', id));
  }

  /**
   * The project's document, parsed.
   *
   * @example
   * ```ts
   * const document = await api.projects.getDocument(id);
   * ```
   */
  getDocument(id: string): Promise<TemplateDocument> {
    return this.transport.json('GET', segments('projects', id, 'document'));
  }

  /**
   * Saves the project's document (`PUT projects/{id}/document` → 204).
   *
   * @example
   * ```ts
   * await api.projects.saveDocument(id, document);
   * ```
   */
  async saveDocument(id: string, document: TemplateDocument | string): Promise<void> {
    await this.transport.json('PUT', segments('projects', id, 'document'), { json: document });
  }
}
