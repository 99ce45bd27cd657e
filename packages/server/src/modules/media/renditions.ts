import { AppError } from '../../errors.ts';
import { MAX_SVG_BYTES } from './inspect.ts';
import type { MediaFormat } from './sniff.ts';

/** GraFx's preview types (SPEC §4), matched in any case. */
export const PREVIEW_TYPES = ['thumbnail', 'medium', 'highest', 'fullOrVector', 'highestOrVector', 'x4096'] as const;
export type PreviewType = (typeof PREVIEW_TYPES)[number];

/** Generated images: four sizes by long edge, and `full` (a full-size image a browser can show). */
export type Rendition = 'thumbnail' | 'medium' | 'highest' | 'x4096' | 'full';

/** Long edge in pixels. Rasters are never enlarged; vectors are rendered at exactly this size. */
export const LONG_EDGE: Record<Exclude<Rendition, 'full'>, number> = { thumbnail: 300, medium: 1000, highest: 2500, x4096: 4096 };

/**
 * Renditions generated together (one decode): the three every item gets right after its upload,
 * and the two generated on first request (most items never need them).
 */
export const GROUPS = { standard: ['highest', 'medium', 'thumbnail'], x4096: ['x4096'], full: ['full'] } as const satisfies Record<string, readonly Rendition[]>;
export type RenditionGroup = keyof typeof GROUPS;
export const groupOf = (rendition: Rendition): RenditionGroup =>
  rendition === 'x4096' ? 'x4096' : rendition === 'full' ? 'full' : 'standard';

/** Formats a browser (and the GraFx editor engine) shows as they are. */
const WEB_READY: ReadonlySet<MediaFormat> = new Set(['jpeg', 'png', 'gif', 'webp']);

/**
 * What a preview request answers: the original file, a generated rendition, or a placeholder
 * (PDFs, which libvips here cannot render, and SVGs too large to rasterise).
 */
export type PreviewPlan = { kind: 'original' } | { kind: 'rendition'; rendition: Rendition } | { kind: 'placeholder'; longEdge: number };

/**
 * `thumbnail` → "THUMBNAIL", "Thumbnail", … ; anything else is a 400 listing the types.
 *
 * @example parsePreviewType('HighestOrVector') // 'highestOrVector'
 */
export function parsePreviewType(value: string | undefined): PreviewType {
  const wanted = value?.trim().toLowerCase();
  const found = PREVIEW_TYPES.find((type) => type.toLowerCase() === wanted);
  if (!found) {
    throw new AppError('validation_failed', `previewType must be one of ${PREVIEW_TYPES.join(', ')} (any case)${value ? `; got "${value.slice(0, 40)}"` : ''}.`);
  }
  return found;
}

/**
 * The answer to a preview of an item of `format`:
 * - `fullOrVector` and `highestOrVector` of an SVG or a PDF: the original vector file.
 * - `fullOrVector` of a JPEG, PNG, GIF or WebP: the original (it already is a full-size image a
 *   browser shows); of a TIFF or AVIF: the `full` rendition.
 * - `highestOrVector` of a raster: the `highest` rendition.
 * - thumbnail, medium, highest, x4096: the rendition; a PDF gets a placeholder page of that size.
 */
export function planPreview(media: { format: string; file_size: number }, type: PreviewType): PreviewPlan {
  const format = media.format as MediaFormat;
  const vector = format === 'svg' || format === 'pdf';
  if (type === 'fullOrVector' || type === 'highestOrVector') {
    if (vector) return { kind: 'original' };
    if (type === 'highestOrVector') return { kind: 'rendition', rendition: 'highest' };
    return WEB_READY.has(format) ? { kind: 'original' } : { kind: 'rendition', rendition: 'full' };
  }
  const longEdge = LONG_EDGE[type];
  if (format === 'pdf' || (format === 'svg' && media.file_size > MAX_SVG_BYTES)) return { kind: 'placeholder', longEdge };
  return { kind: 'rendition', rendition: type };
}
