import { Readable } from 'node:stream';
import { SYSTEM_ACTOR, type Actor, type UnitOfWork } from '../../db/unit-of-work.ts';
import { AppError } from '../../errors.ts';
import type { Clock } from '../../infra/clock.ts';
import { randomBase62 } from '../../infra/encoding.ts';
import type { FileStore } from '../../infra/file-store/index.ts';
import { formatBytes, tooLarge } from '../../infra/file-store/meter.ts';
import { isUniqueViolation } from '../environment-api/keyset.ts';
import { cutShort } from '../environment-api/multipart.ts';
import { validateItemName, validateTitle } from '../environment-api/paths.ts';
import { baseName } from '../media/media.service.ts';
import { readFont } from './font-reader.ts';
import type { BatchItemRow, BatchRow, FamilySummary, FontsRepository, StyleSummary } from './fonts.repository.ts';
import { fontKey } from './fonts.service.ts';

/** Unconfirmed batches expire after an hour; their bytes are removed by the sweep. */
export const BATCH_TTL_MS = 60 * 60 * 1000;
/** One font file at most (real fonts, CJK ones included, are a few MiB); fontkit reads a font whole. */
export const MAX_FONT_BYTES = 32 * 1024 * 1024;
export const MAX_FONTS_PER_BATCH = 50;

export const newBatchId = () => `fb_${randomBase62(22)}`;
export const newFamilyId = () => `ff_${randomBase62(22)}`;
export const newStyleId = () => `fs_${randomBase62(22)}`;

/** A font file as the route hands it over. */
export interface IncomingFont {
  fileName: string | undefined;
  stream: Readable;
}

/** Who uploads: a batch belongs to the integration that started it. */
export interface Uploader {
  integrationId: string;
  actor: Actor;
}

/** A batch item with what stands in its way now (file problems, and name clashes as of now). */
export interface BatchEntry extends BatchItemRow {
  problems: string[];
  canBeUploaded: boolean;
  /** The existing family of that name, if any (the style will join it). */
  existingFamilyId: string | null;
}

export interface BatchView {
  batch: BatchRow;
  entries: BatchEntry[];
}

export interface Correction {
  fontStyleId: string;
  familyName: string;
  styleName: string;
}

export interface Confirmed {
  families: FamilySummary[];
  styles: StyleSummary[];
}

const batchNotFound = () => new AppError('not_found', 'Font upload batch not found: it was confirmed, has expired (after 1 hour), or belongs to another integration.');

/**
 * GraFx's three-step font upload (SPEC §4): `POST font-styles/temp` reads each file (family and
 * style names with fontkit) and keeps the usable ones in the file store under the style ids
 * they will have; `PATCH font-styles/temp/{batchId}` corrects names; `…/confirm` creates the
 * families and styles. A batch is its uploader's alone and expires unconfirmed after an hour.
 */
export class FontUploadsService {
  constructor(
    private readonly repository: FontsRepository,
    private readonly store: FileStore,
    private readonly unitOfWork: UnitOfWork,
    private readonly clock: Clock,
    private readonly maxUploadBytes: number,
  ) {}

  /**
   * Step 1. Files that are not fonts (or are damaged) become entries with errors, never a
   * failure of the batch; a file over MAX_FONT_BYTES, or a batch over LATCHKEY_MAX_UPLOAD_BYTES,
   * refuses the whole request (413) and leaves nothing behind.
   */
  async start(environmentId: string, uploader: Uploader, files: AsyncIterable<IncomingFont>): Promise<BatchView> {
    const now = this.clock.now();
    const batch: BatchRow = { id: newBatchId(), environment_id: environmentId, integration_id: uploader.integrationId, created_at: now, expires_at: now + BATCH_TTL_MS };
    const items: BatchItemRow[] = [];
    const stored: string[] = [];
    try {
      let total = 0;
      for await (const file of files) {
        if (items.length >= MAX_FONTS_PER_BATCH) throw new AppError('validation_failed', `At most ${MAX_FONTS_PER_BATCH} fonts per upload.`);
        const bytes = await readBounded(file.stream, this.maxUploadBytes - total, this.maxUploadBytes);
        total += bytes.length;
        const reading = readFont(bytes);
        const id = newStyleId();
        const fileName = fileNameOf(file.fileName, reading.format ?? 'bin');
        let key: string | null = null;
        let sha256: string | null = null;
        if (reading.errors.length === 0) {
          key = fontKey(environmentId, id);
          sha256 = (await this.store.put(key, Readable.from([bytes]), { maxBytes: MAX_FONT_BYTES })).sha256;
          stored.push(key);
        }
        items.push({
          id,
          batch_id: batch.id,
          environment_id: environmentId,
          position: items.length,
          file_name: fileName,
          extension: reading.format,
          file_key: key,
          file_size: bytes.length,
          sha256,
          family_name: reading.familyName.slice(0, 255),
          style_name: reading.styleName.slice(0, 255),
          errors: JSON.stringify(reading.errors),
        });
      }
      if (items.length === 0) throw new AppError('validation_failed', 'The multipart body holds no file: send each font in a field "file".');
      const audit = { environmentId, action: 'font.upload', target: { type: 'font_upload_batch', id: batch.id }, changes: { files: items.length } };
      await this.unitOfWork.commit({ actor: uploader.actor, audit }, (trx) => this.repository.withTransaction(trx).insertBatch(batch, items));
    } catch (error) {
      for (const key of stored) await this.store.delete(key).catch(() => {});
      throw error;
    }
    return this.view(this.repository, batch, items);
  }

  async get(environmentId: string, uploader: Uploader, batchId: string): Promise<BatchView> {
    const batch = await this.repository.findBatch(environmentId, uploader.integrationId, batchId, this.clock.now());
    if (!batch) throw batchNotFound();
    return this.view(this.repository, batch, await this.repository.batchItems(environmentId, batchId));
  }

  /** Step 2: new family and style names for entries of the batch. */
  async correct(environmentId: string, uploader: Uploader, batchId: string, corrections: Correction[]): Promise<BatchView> {
    if (corrections.length === 0) throw new AppError('validation_failed', 'Send at least one correction: [{fontStyleId, familyName, styleName}].');
    const checked = corrections.map((c, i) => ({
      id: c.fontStyleId,
      family_name: validateTitle(c.familyName.trim(), `[${i}].familyName`),
      style_name: validateTitle(c.styleName.trim(), `[${i}].styleName`),
    }));
    return this.unitOfWork.commit({ actor: uploader.actor }, async (trx) => {
      const repository = this.repository.withTransaction(trx);
      const batch = await repository.findBatch(environmentId, uploader.integrationId, batchId, this.clock.now());
      if (!batch) throw batchNotFound();
      const items = await repository.batchItems(environmentId, batchId);
      for (const correction of checked) {
        const item = items.find((candidate) => candidate.id === correction.id);
        if (!item) throw new AppError('validation_failed', `fontStyleId ${correction.id.slice(0, 60)} is not in this batch.`);
        await repository.renameItem(environmentId, batchId, item.id, { family_name: correction.family_name, style_name: correction.style_name });
        Object.assign(item, { family_name: correction.family_name, style_name: correction.style_name });
      }
      return this.view(repository, batch, items);
    });
  }

  /**
   * Step 3: every entry that can be uploaded becomes a style (of an existing family of that name,
   * or a new one); the others are dropped with their bytes. The batch is gone afterwards.
   */
  async confirm(environmentId: string, uploader: Uploader, batchId: string): Promise<Confirmed> {
    const now = this.clock.now();
    const changes: Record<string, unknown> = {};
    const audit = { environmentId, action: 'font.confirm', target: { type: 'font_upload_batch', id: batchId }, changes };
    let dropped: string[] = [];
    let result: { familyIds: string[]; styleIds: string[] };
    try {
      result = await this.unitOfWork.commit({ actor: uploader.actor, audit }, async (trx) => {
        const repository = this.repository.withTransaction(trx);
        const batch = await repository.findBatch(environmentId, uploader.integrationId, batchId, now);
        if (!batch) throw batchNotFound();
        const { entries } = await this.view(repository, batch, await repository.batchItems(environmentId, batchId));
        const usable = entries.filter((entry) => entry.canBeUploaded);
        if (usable.length === 0) {
          const why = entries.map((entry) => `${entry.file_name}: ${entry.problems.join(' ')}`).join('; ');
          throw new AppError('validation_failed', `Nothing in this batch can be uploaded (${why.slice(0, 500)}). Correct the names with PATCH, or upload again.`);
        }
        const familyIds = new Set<string>();
        for (const entry of usable) {
          let family = await repository.findFamilyByName(environmentId, entry.family_name.toLowerCase());
          if (!family) {
            family = { id: newFamilyId(), environment_id: environmentId, name: entry.family_name, name_key: entry.family_name.toLowerCase(), created_at: now, updated_at: now };
            await repository.insertFamily(family);
          } else {
            await repository.touchFamily(environmentId, family.id, now);
          }
          familyIds.add(family.id);
          await repository.insertStyle({
            id: entry.id,
            environment_id: environmentId,
            family_id: family.id,
            name: entry.style_name,
            name_key: entry.style_name.toLowerCase(),
            file_name: entry.file_name,
            extension: entry.extension!,
            file_key: entry.file_key!,
            file_size: entry.file_size,
            sha256: entry.sha256!,
            created_at: now,
            updated_at: now,
          });
        }
        if (!(await repository.claimBatch(batchId))) throw batchNotFound();
        dropped = entries.filter((entry) => !entry.canBeUploaded && entry.file_key).map((entry) => entry.file_key!);
        Object.assign(changes, { styles: usable.length, dropped: entries.length - usable.length });
        return { familyIds: [...familyIds], styleIds: usable.map((entry) => entry.id) };
      });
    } catch (error) {
      // Another upload created the same family or style meanwhile.
      if (isUniqueViolation(error)) throw new AppError('conflict', 'A family or style of this batch was created meanwhile; upload the batch again.');
      throw error;
    }
    for (const key of dropped) await this.store.delete(key).catch(() => {});
    const families = await this.repository.summarize(environmentId, await this.repository.familiesByIds(environmentId, result.familyIds));
    const styles = await Promise.all(result.styleIds.map((id) => this.repository.findStyle(environmentId, id)));
    return { families, styles: styles.filter((style): style is StyleSummary => style !== undefined) };
  }

  /** Removes expired batches and their bytes; answers how many went. */
  async sweepExpired(): Promise<number> {
    const now = this.clock.now();
    let removed = 0;
    for (;;) {
      const expired = await this.repository.expiredBatches(now, 100);
      if (expired.length === 0) return removed;
      for (const batch of expired) {
        const keys = await this.unitOfWork.commit({ actor: SYSTEM_ACTOR }, async (trx) => {
          const repository = this.repository.withTransaction(trx);
          const items = await repository.itemsOfBatch(batch.id);
          return (await repository.claimBatch(batch.id, now)) ? items.flatMap((item) => (item.file_key ? [item.file_key] : [])) : [];
        });
        for (const key of keys) await this.store.delete(key);
        removed++;
      }
    }
  }

  /** Each entry's problems as of now: its file's, invalid names, a style its family already has, a twin in the batch. */
  private async view(repository: FontsRepository, batch: BatchRow, items: BatchItemRow[]): Promise<BatchView> {
    const seen = new Set<string>();
    const entries: BatchEntry[] = [];
    for (const item of items) {
      const problems = JSON.parse(item.errors) as string[];
      let existingFamilyId: string | null = null;
      if (problems.length === 0) {
        for (const [value, field] of [
          [item.family_name, 'familyName'],
          [item.style_name, 'styleName'],
        ] as const) {
          try {
            validateTitle(value, field);
          } catch (error) {
            problems.push((error as AppError).description);
          }
        }
      }
      if (problems.length === 0) {
        const family = await repository.findFamilyByName(batch.environment_id, item.family_name.toLowerCase());
        existingFamilyId = family?.id ?? null;
        if (family && (await repository.findStyleByName(batch.environment_id, family.id, item.style_name.toLowerCase()))) {
          problems.push(`The family "${family.name}" already has a style "${item.style_name}".`);
        }
        const twin = `${item.family_name.toLowerCase()}\n${item.style_name.toLowerCase()}`;
        if (seen.has(twin)) problems.push(`Another file of this upload is also "${item.family_name}" ${item.style_name}.`);
        seen.add(twin);
      }
      entries.push({ ...item, problems, canBeUploaded: problems.length === 0, existingFamilyId });
    }
    return { batch, entries };
  }
}

/**
 * Reads a font whole (fontkit needs it so): refused past MAX_FONT_BYTES (one font) or past
 * `remaining` (what is left of the upload limit for the whole batch).
 */
async function readBounded(stream: Readable, remaining: number, maxUploadBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > MAX_FONT_BYTES) {
        throw new AppError('payload_too_large', `A font file is larger than ${formatBytes(MAX_FONT_BYTES)}; nothing was uploaded.`, {
          headers: { connection: 'close' },
        });
      }
      if (length > remaining) throw tooLarge(maxUploadBytes);
      chunks.push(chunk);
    }
  } catch (error) {
    const cause = stream.errored;
    stream.destroy();
    throw cause && !(error instanceof AppError) ? cutShort(cause) : error;
  }
  return Buffer.concat(chunks, length);
}

/** The client's file name if it is a usable one, else a neutral one with the sniffed extension. */
function fileNameOf(raw: string | undefined, extension: string): string {
  const name = baseName(raw);
  if (name === undefined) return `font.${extension}`;
  try {
    return validateItemName(name, 'fileName');
  } catch {
    return `font.${extension}`;
  }
}
