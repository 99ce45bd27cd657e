import type { UnitOfWork, Actor } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import { etagOf, requireObjectDocument, type JsonDocument } from '../environment-api/json-body.ts';
import { pageOf, type FolderEntry } from '../environment-api/pager.ts';
import { sortKeyOf, type ListRequest, type Page } from '../environment-api/paging.ts';
import { normalizeFolderPath, ROOT, validateItemName } from '../environment-api/paths.ts';
import { conflictOnUniqueViolation } from '../environment-api/keyset.ts';
import { applyMove, readMove } from '../environment-api/move.ts';
import { templateChanged, type TemplateItemCache } from './template-item-cache.ts';
import type { TemplatesRepository, TemplateSummary } from './templates.repository.ts';

export const newTemplateId = () => `tpl_${randomBase62(22)}`;

/** Where a template lives: both optional on a move (absent keeps the current value). */
export interface TemplateLocation {
  name?: string | undefined;
  folderPath?: string | undefined;
}

const notFound = () => new AppError('not_found', 'Template not found.');
const duplicate = (name: string, folder: string) =>
  new AppError('conflict', `A template named "${name}" already exists in folder ${folder}; template names are unique per folder (case-insensitive).`);

/**
 * Templates of an environment: JSON documents with a name and a folder (SPEC §4). Names are
 * unique per folder, case-insensitively, so `relativePath + "/" + name` names one template.
 */
export class TemplatesService {
  constructor(
    private readonly repository: TemplatesRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly cache: TemplateItemCache,
  ) {}

  /** The summary if this process holds a current copy: no await (the fast path's read). */
  cached(environmentId: string, id: string): TemplateSummary | undefined {
    return this.cache.get(environmentId, id);
  }

  /** One page of templates (and folders, when asked), optionally of one collection only. */
  list(environmentId: string, request: ListRequest, collectionId?: string): Promise<Page<TemplateSummary, FolderEntry>> {
    const filter = {
      folder: request.folder,
      includeSubfolders: request.includeSubfolders,
      search: request.search,
      ...(collectionId ? { collectionId } : {}),
    };
    return pageOf(request, {
      count: () => this.repository.count(environmentId, filter),
      items: (after, limit) => this.repository.list(environmentId, { filter, sortBy: request.sortBy, sortOrder: request.sortOrder, after, limit }),
      keysOf: (row) => sortKeyOf(request.sortBy, { id: row.id, nameKey: row.name_key, folder: row.folder_path }),
      folderPaths: () => this.repository.folderPaths(environmentId, filter),
    });
  }

  async get(environmentId: string, id: string): Promise<TemplateSummary> {
    return (await this.cache.read(environmentId, id, () => this.repository.find(environmentId, id))) ?? Promise.reject(notFound());
  }

  async document(environmentId: string, id: string): Promise<{ text: string; etag: string }> {
    const row = await this.repository.findDocument(environmentId, id);
    if (!row) throw notFound();
    return { text: row.document, etag: row.document_etag };
  }

  async create(environmentId: string, actor: Actor, location: TemplateLocation, body: JsonDocument | undefined): Promise<TemplateSummary> {
    if (location.name === undefined) throw new AppError('validation_failed', 'name is required: POST templates?name=…&folderPath=….');
    const name = validateItemName(location.name);
    const folderPath = location.folderPath === undefined ? ROOT : normalizeFolderPath(location.folderPath);
    const document = requireObjectDocument(body, 'template document');
    const now = this.clock.now();
    const row = {
      id: newTemplateId(),
      environment_id: environmentId,
      name,
      name_key: name.toLowerCase(),
      folder_path: folderPath,
      document: document.text,
      document_etag: etagOf(document.text),
      document_size: Buffer.byteLength(document.text),
      created_at: now,
      updated_at: now,
    };
    const audit = { environmentId, action: 'template.create', target: { type: 'template', id: row.id }, changes: { name, folderPath } };
    await conflictOnUniqueViolation(() => duplicate(name, folderPath), () =>
      this.unitOfWork.commit({ actor, audit, change: templateChanged(environmentId, row.id) }, async (trx) => {
        const repository = this.repository.withTransaction(trx);
        if (await repository.findByName(environmentId, folderPath, row.name_key)) throw duplicate(name, folderPath);
        await repository.insert(row);
      }),
    );
    return { id: row.id, name, name_key: row.name_key, folder_path: folderPath, created_at: now, updated_at: now };
  }

  /** `PUT templates/{id}` with a body: the document is replaced, name and folder stay. */
  async replaceDocument(environmentId: string, actor: Actor, id: string, body: JsonDocument | undefined): Promise<TemplateSummary> {
    const document = requireObjectDocument(body, 'template document');
    const now = this.clock.now();
    const size = Buffer.byteLength(document.text);
    const audit = { environmentId, action: 'template.update', target: { type: 'template', id }, changes: { documentSize: size } };
    return this.unitOfWork.commit({ actor, audit, change: templateChanged(environmentId, id) }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(environmentId, id);
      if (!current) throw notFound();
      await repository.update(environmentId, id, { document: document.text, document_etag: etagOf(document.text), document_size: size, updated_at: now });
      return { ...current, updated_at: now };
    });
  }

  /** `PUT templates/{id}?name=&folderPath=` without a body: renames and/or moves. */
  async move(environmentId: string, actor: Actor, id: string, location: TemplateLocation): Promise<TemplateSummary> {
    const move = readMove(location, 'Send a JSON document to replace the template, or name and/or folderPath to rename or move it.');
    const now = this.clock.now();
    const audit = { environmentId, action: 'template.move', target: { type: 'template', id }, changes: move.changes };
    const target = { name: move.name ?? '', folder: move.folder ?? ROOT };
    return conflictOnUniqueViolation(
      () => duplicate(target.name, target.folder),
      () =>
        this.unitOfWork.commit({ actor, audit, change: templateChanged(environmentId, id) }, (trx) =>
          applyMove(this.repository.withTransaction(trx), environmentId, id, move, now, { notFound, duplicate }, target),
        ),
    );
  }

  /**
   * Deletes a template. One that is in a collection needs `force` (SPEC §4: else 409), and then
   * leaves every collection with it. Answers the deleted template, as GraFx does.
   */
  async delete(environmentId: string, actor: Actor, id: string, force: boolean): Promise<TemplateSummary> {
    const changes: Record<string, unknown> = { force };
    const audit = { environmentId, action: 'template.delete', target: { type: 'template', id }, changes };
    return this.unitOfWork.commit({ actor, audit, change: templateChanged(environmentId, id) }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const current = await repository.find(environmentId, id);
      if (!current) throw notFound();
      const collections = await repository.collectionCount(environmentId, id);
      if (collections > 0 && !force) {
        const count = collections === 1 ? '1 template collection' : `${collections} template collections`;
        throw new AppError('conflict', `The template is in ${count}; delete it with ?force=true to also remove it from them.`);
      }
      // The audit row is written after this work, in the same transaction: it can name what went.
      Object.assign(changes, { name: current.name, folderPath: current.folder_path, removedFromCollections: await repository.delete(environmentId, id) });
      return current;
    });
  }

  /** A concurrent writer may take the name between our check and our insert: still a 409. */
}
