import type { Config } from '../../config.ts';
import type { ChangeFeed } from '../../infra/change-feed.ts';
import { isDatabaseUnavailable } from '../../infra/database-health.ts';
import { TemplateItemCache } from '../templates/template-item-cache.ts';
import type { Db, Dialect } from '../../db/database.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';
import { createFileStore, type FileStore } from '../../infra/file-store/index.ts';
import { FontUploadsService } from '../fonts/font-uploads.service.ts';
import { FontsRepository } from '../fonts/fonts.repository.ts';
import { FontsService } from '../fonts/fonts.service.ts';
import { FileMaintenance } from '../media/file-maintenance.ts';
import { configureSharp, WorkLimiter } from '../media/image-work.ts';
import { MediaRepository } from '../media/media.repository.ts';
import { MediaService } from '../media/media.service.ts';
import { PreviewQueue, type PreviewLog } from '../media/previews.ts';
import { ProjectsRepository } from '../projects/projects.repository.ts';
import { ProjectsService } from '../projects/projects.service.ts';
import { TemplateCollectionsRepository } from '../template-collections/template-collections.repository.ts';
import { TemplateCollectionsService } from '../template-collections/template-collections.service.ts';
import { TemplatesRepository } from '../templates/templates.repository.ts';
import { TemplatesService } from '../templates/templates.service.ts';

/**
 * Image jobs (upload checks, previews) at a time. One: on a 2-core machine a second libvips job
 * would take the core the token endpoint needs, and previews of a 12 MP photo still take well
 * under a second each (SPEC §7).
 */
export const IMAGE_CONCURRENCY = 1;

/** The Environment API's content: templates, template collections, projects, media, fonts. */
export interface ContentServices {
  templates: TemplatesService;
  templateCollections: TemplateCollectionsService;
  projects: ProjectsService;
  media: MediaService;
  fonts: FontsService;
  fontUploads: FontUploadsService;
  /** Where media and font bytes live (LATCHKEY_FILE_STORE). */
  files: FileStore;
  maintenance: FileMaintenance;
  /** Where background work (previews, sweeps) reports failures; the HTTP surface sets its logger. */
  useLog(log: PreviewLog): void;
  /** Starts background sweeps (servers only). */
  start(): void;
  /** Stops sweeps, lets the running preview job finish and drops the queued ones. */
  close(): Promise<void>;
}

export interface ContentServicesDeps {
  db: Db;
  clock: Clock;
  unitOfWork: UnitOfWork;
  /** Absolute links are built by the routes; kept here so every caller wires the same way. */
  issuer: string;
  dialect: Dialect;
  config: Readonly<Config>;
  /** Caches of content follow changes made by any node through it. */
  feed: ChangeFeed;
}

/** Repositories → services, explicitly (STYLE: one place builds services; this is its content part). */
export function createContentServices(deps: ContentServicesDeps): ContentServices {
  const templatesRepository = new TemplatesRepository(deps.db);
  const templates = new TemplatesService(templatesRepository, deps.unitOfWork, deps.clock, new TemplateItemCache(deps.feed));

  configureSharp();
  let log: PreviewLog = { warn: () => {}, error: () => {} };
  const logTo: PreviewLog = { warn: (fields, message) => log.warn(fields, message), error: (fields, message) => log.error(fields, message) };
  const files = createFileStore(deps.config, deps.db, deps.clock);
  const limiter = new WorkLimiter(IMAGE_CONCURRENCY);
  const mediaRepository = new MediaRepository(deps.db);
  const previews = new PreviewQueue(mediaRepository, files, limiter, deps.clock, logTo);
  const media = new MediaService(mediaRepository, files, previews, limiter, deps.unitOfWork, deps.clock, deps.config.maxUploadBytes);
  const fontsRepository = new FontsRepository(deps.db);
  const fontUploads = new FontUploadsService(fontsRepository, files, deps.unitOfWork, deps.clock, deps.config.maxUploadBytes);
  // A database outage is logged once, by DatabaseHealth; a sweep that meets one simply tries again.
  const maintenance = new FileMaintenance(files, mediaRepository, fontUploads, (error) => {
    if (!isDatabaseUnavailable(error)) logTo.error({ err: error }, 'file maintenance failed');
  });

  return {
    templates,
    templateCollections: new TemplateCollectionsService(new TemplateCollectionsRepository(deps.db), templates, templatesRepository, deps.unitOfWork, deps.clock),
    projects: new ProjectsService(new ProjectsRepository(deps.db), templatesRepository, deps.unitOfWork, deps.clock),
    media,
    fonts: new FontsService(fontsRepository, files, deps.unitOfWork, deps.clock),
    fontUploads,
    files,
    maintenance,
    useLog(next) {
      log = next;
    },
    start() {
      maintenance.start();
    },
    async close() {
      await maintenance.stop();
      await previews.close();
    },
  };
}
