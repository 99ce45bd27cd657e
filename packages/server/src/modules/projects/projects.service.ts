import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import { etagOf, requireObjectDocument, type JsonDocument } from '../environment-api/json-body.ts';
import { sortKeyOf, type ListRequest, type Page } from '../environment-api/paging.ts';
import { validateTitle } from '../environment-api/paths.ts';
import type { TemplatesRepository } from '../templates/templates.repository.ts';
import type { Owner, ProjectsRepository, ProjectSummary } from './projects.repository.ts';

export const newProjectId = () => `prj_${randomBase62(22)}`;

const notFound = () => new AppError('not_found', 'Project not found.');

/**
 * Projects (SPEC §4): a copy of a template's document that one integration works on. Only the
 * integration that created a project sees it; a copy, so it outlives changes to its template.
 */
export class ProjectsService {
  constructor(
    private readonly repository: ProjectsRepository,
    private readonly templates: TemplatesRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async list(owner: Owner, request: ListRequest): Promise<Page<ProjectSummary>> {
    const sortBy = request.sortBy === 'id' ? 'id' : 'name';
    const after = request.after?.keys ?? null;
    const [total, rows] = await Promise.all([
      this.repository.count(owner, request.search),
      this.repository.list(owner, { search: request.search, sortBy, sortOrder: request.sortOrder, after, limit: request.limit + 1 }),
    ]);
    const items = rows.slice(0, request.limit);
    const last = items[items.length - 1];
    const next = rows.length > request.limit && last ? { kind: 'item' as const, keys: sortKeyOf(sortBy, { id: last.id, nameKey: last.name_key, folder: '' }) } : null;
    return { folders: [], items, total, next };
  }

  async get(owner: Owner, id: string): Promise<ProjectSummary> {
    return (await this.repository.find(owner, id)) ?? Promise.reject(notFound());
  }

  async document(owner: Owner, id: string): Promise<{ text: string; etag: string }> {
    const row = await this.repository.findDocument(owner, id);
    if (!row) throw notFound();
    return { text: row.document, etag: row.document_etag };
  }

  /** Copies the template's current document; the name defaults to the template's. */
  async create(owner: Owner, actor: Actor, input: { templateId: string; name?: string | undefined }): Promise<ProjectSummary> {
    const given = input.name === undefined ? undefined : validateTitle(input.name);
    const id = newProjectId();
    const now = this.clock.now();
    const changes: Record<string, unknown> = { templateId: input.templateId };
    const audit = { environmentId: owner.environmentId, action: 'project.create', target: { type: 'project', id }, changes };
    return this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const templates = this.templates.withTransaction(trx);
      const template = await templates.find(owner.environmentId, input.templateId);
      const source = template && (await templates.findDocument(owner.environmentId, input.templateId));
      // The template is named in the body, not in the URL: a 400, not a 404 of this route.
      if (!template || !source) throw new AppError('validation_failed', 'template.id does not name a template of this environment.');
      const name = given ?? template.name;
      changes.name = name;
      const row = {
        id,
        environment_id: owner.environmentId,
        integration_id: owner.integrationId,
        name,
        name_key: name.toLowerCase(),
        template_id: template.id,
        document: source.document,
        document_etag: source.document_etag,
        document_size: Buffer.byteLength(source.document),
        created_at: now,
        updated_at: now,
      };
      await this.repository.withTransaction(trx).insert(row);
      return { id, name, name_key: row.name_key, template_id: template.id, created_at: now, updated_at: now };
    });
  }

  async rename(owner: Owner, actor: Actor, id: string, input: { name?: string | undefined }): Promise<ProjectSummary> {
    if (input.name === undefined) throw new AppError('validation_failed', 'name is required.');
    const name = validateTitle(input.name);
    const audit = { environmentId: owner.environmentId, action: 'project.update', target: { type: 'project', id }, changes: { name } };
    return this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(owner, id);
      if (!current) throw notFound();
      const patch = { name, name_key: name.toLowerCase(), updated_at: this.clock.now() };
      await repository.update(owner, id, patch);
      return { ...current, ...patch };
    });
  }

  /** Answers the deleted project. */
  async delete(owner: Owner, actor: Actor, id: string): Promise<ProjectSummary> {
    const audit = { environmentId: owner.environmentId, action: 'project.delete', target: { type: 'project', id } };
    return this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(owner, id);
      if (!current) throw notFound();
      await repository.delete(owner, id);
      return current;
    });
  }

  async saveDocument(owner: Owner, actor: Actor, id: string, body: JsonDocument | undefined): Promise<void> {
    const document = requireObjectDocument(body, 'project document');
    const size = Buffer.byteLength(document.text);
    const audit = { environmentId: owner.environmentId, action: 'project.save_document', target: { type: 'project', id }, changes: { documentSize: size } };
    await this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      if (!(await repository.find(owner, id))) throw notFound();
      await repository.update(owner, id, { document: document.text, document_etag: etagOf(document.text), document_size: size, updated_at: this.clock.now() });
    });
  }
}
