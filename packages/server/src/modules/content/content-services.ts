import type { Config } from '../../config.ts';
import type { Db, Dialect } from '../../db/database.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';
import { ProjectsRepository } from '../projects/projects.repository.ts';
import { ProjectsService } from '../projects/projects.service.ts';
import { TemplateCollectionsRepository } from '../template-collections/template-collections.repository.ts';
import { TemplateCollectionsService } from '../template-collections/template-collections.service.ts';
import { TemplatesRepository } from '../templates/templates.repository.ts';
import { TemplatesService } from '../templates/templates.service.ts';

/** The Environment API's JSON content: templates, template collections, projects. */
export interface ContentServices {
  templates: TemplatesService;
  templateCollections: TemplateCollectionsService;
  projects: ProjectsService;
}

export interface ContentServicesDeps {
  db: Db;
  clock: Clock;
  unitOfWork: UnitOfWork;
  /** Absolute links are built by the routes; kept here so every caller wires the same way. */
  issuer: string;
  dialect: Dialect;
  config: Readonly<Config>;
}

/** Repositories → services, explicitly (STYLE: one place builds services; this is its content part). */
export function createContentServices(deps: ContentServicesDeps): ContentServices {
  const templatesRepository = new TemplatesRepository(deps.db);
  const templates = new TemplatesService(templatesRepository, deps.unitOfWork, deps.clock);
  return {
    templates,
    templateCollections: new TemplateCollectionsService(new TemplateCollectionsRepository(deps.db), templates, templatesRepository, deps.unitOfWork, deps.clock),
    projects: new ProjectsService(new ProjectsRepository(deps.db), templatesRepository, deps.unitOfWork, deps.clock),
  };
}
