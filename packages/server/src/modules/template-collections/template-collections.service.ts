import type { Actor, UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import { conflictOnUniqueViolation, isUniqueViolation } from '../environment-api/keyset.ts';
import type { FolderEntry } from '../environment-api/pager.ts';
import { sortKeyOf, type ListRequest, type Page } from '../environment-api/paging.ts';
import { validateTitle } from '../environment-api/paths.ts';
import type { TemplatesRepository, TemplateSummary } from '../templates/templates.repository.ts';
import type { TemplatesService } from '../templates/templates.service.ts';
import type { CollectionSummary, TemplateCollectionsRepository } from './template-collections.repository.ts';

export const newCollectionId = () => `tcl_${randomBase62(22)}`;
export const MAX_DESCRIPTION_LENGTH = 1000;

export interface CollectionInput {
  name?: string | undefined;
  description?: string | null | undefined;
}

const notFound = () => new AppError('not_found', 'Template collection not found.');
// SPEC §4: a duplicate collection name is a 400 (not a 409 as a duplicate template is).
const duplicate = (name: string) => new AppError('validation_failed', `A template collection named "${name}" already exists (names are case-insensitive).`);

function validateDescription(value: string | null | undefined): string | undefined {
  if (value === undefined) return undefined;
  const description = value ?? '';
  // Line breaks and tabs are fine in a description; other control characters are not.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(description)) throw new AppError('validation_failed', 'description must not contain control characters.');
  if (description.length > MAX_DESCRIPTION_LENGTH) throw new AppError('validation_failed', `description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  return description;
}

/** Named sets of templates (SPEC §4). A template may be in any number of them. */
export class TemplateCollectionsService {
  constructor(
    private readonly repository: TemplateCollectionsRepository,
    private readonly templates: TemplatesService,
    private readonly templatesRepository: TemplatesRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
  ) {}

  async list(environmentId: string, request: ListRequest): Promise<Page<CollectionSummary>> {
    const sortBy = request.sortBy === 'id' ? 'id' : 'name';
    const limit = request.limit + 1;
    const after = request.after?.keys ?? null;
    const [total, rows] = await Promise.all([
      this.repository.count(environmentId, request.search),
      this.repository.list(environmentId, { search: request.search, sortBy, sortOrder: request.sortOrder, after, limit }),
    ]);
    const items = rows.slice(0, request.limit);
    const last = items[items.length - 1];
    const next = rows.length > request.limit && last ? { kind: 'item' as const, keys: sortKeyOf(sortBy, { id: last.id, nameKey: last.name_key, folder: '' }) } : null;
    return { folders: [], items, total, next };
  }

  async get(environmentId: string, id: string): Promise<CollectionSummary> {
    return (await this.repository.find(environmentId, id)) ?? Promise.reject(notFound());
  }

  /** The templates of one collection, paged and filtered like `GET templates`. */
  async templatesOf(environmentId: string, id: string, request: ListRequest): Promise<Page<TemplateSummary, FolderEntry>> {
    await this.get(environmentId, id);
    return this.templates.list(environmentId, request, id);
  }

  async create(environmentId: string, actor: Actor, input: CollectionInput): Promise<CollectionSummary> {
    const name = validateTitle(input.name ?? '');
    const description = validateDescription(input.description) ?? '';
    const now = this.clock.now();
    const row = { id: newCollectionId(), environment_id: environmentId, name, name_key: name.toLowerCase(), description, created_at: now, updated_at: now };
    const audit = { environmentId, action: 'template_collection.create', target: { type: 'template_collection', id: row.id }, changes: { name } };
    await conflictOnUniqueViolation(() => duplicate(name), () =>
      this.unitOfWork.commit({ actor, audit }, async (trx) => {
        const repository = this.repository.withTransaction(trx);
        if (await repository.findByName(environmentId, row.name_key)) throw duplicate(name);
        await repository.insert(row);
      }),
    );
    const { environment_id: _, ...summary } = row;
    return { ...summary, template_count: 0 };
  }

  /** PATCH: only what is given changes. */
  async update(environmentId: string, actor: Actor, id: string, input: CollectionInput): Promise<CollectionSummary> {
    const name = input.name === undefined ? undefined : validateTitle(input.name);
    const description = validateDescription(input.description);
    const changes = { ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}) };
    const audit = { environmentId, action: 'template_collection.update', target: { type: 'template_collection', id }, changes };
    return conflictOnUniqueViolation(() => duplicate(name ?? ''), () =>
      this.unitOfWork.commit({ actor, audit }, async (trx) => {
        const repository = this.repository.withTransaction(trx);
        const current = await repository.find(environmentId, id);
        if (!current) throw notFound();
        if (name !== undefined) {
          const clash = await repository.findByName(environmentId, name.toLowerCase());
          if (clash && clash.id !== id) throw duplicate(name);
        }
        const patch = { ...(name !== undefined ? { name, name_key: name.toLowerCase() } : {}), ...(description !== undefined ? { description } : {}), updated_at: this.clock.now() };
        await repository.update(environmentId, id, patch);
        return { ...current, ...patch };
      }),
    );
  }

  /** Deletes the collection; its templates stay. Answers the deleted collection. */
  async delete(environmentId: string, actor: Actor, id: string): Promise<CollectionSummary> {
    const audit = { environmentId, action: 'template_collection.delete', target: { type: 'template_collection', id } };
    return this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(environmentId, id);
      if (!current) throw notFound();
      await repository.delete(environmentId, id);
      return current;
    });
  }

  /** Adds a template; adding one that is already in is a no-op (PUT is idempotent). */
  async addTemplate(environmentId: string, actor: Actor, id: string, templateId: string): Promise<CollectionSummary> {
    // Already in: nothing to change or audit (a membership implies both exist).
    if (await this.repository.hasTemplate(environmentId, id, templateId)) return this.get(environmentId, id);
    const audit = { environmentId, action: 'template_collection.add_template', target: { type: 'template_collection', id }, changes: { templateId } };
    const work = () =>
      this.unitOfWork.commit({ actor, audit }, async (trx) => {
        const repository = this.repository.withTransaction(trx);
        if (!(await repository.find(environmentId, id))) throw notFound();
        if (!(await this.templatesRepository.withTransaction(trx).find(environmentId, templateId))) throw new AppError('not_found', 'Template not found.');
        if (await repository.hasTemplate(environmentId, id, templateId)) return;
        const now = this.clock.now();
        await repository.addTemplate(environmentId, id, templateId, now);
        await repository.update(environmentId, id, { updated_at: now });
      });
    try {
      await work();
    } catch (error) {
      // Two concurrent adds of the same template: the loser finds it already in.
      if (!isUniqueViolation(error)) throw error;
    }
    return this.get(environmentId, id);
  }

  async removeTemplate(environmentId: string, actor: Actor, id: string, templateId: string): Promise<CollectionSummary> {
    const audit = { environmentId, action: 'template_collection.remove_template', target: { type: 'template_collection', id }, changes: { templateId } };
    await this.unitOfWork.commit({ actor, audit }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      if (!(await repository.find(environmentId, id))) throw notFound();
      if (!(await repository.removeTemplate(environmentId, id, templateId))) throw new AppError('not_found', 'The template is not in this collection.');
      await repository.update(environmentId, id, { updated_at: this.clock.now() });
    });
    return this.get(environmentId, id);
  }

}
