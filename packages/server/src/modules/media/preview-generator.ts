import { readFile } from 'node:fs/promises';
import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { MAX_PIXELS } from './inspect.ts';
import { LONG_EDGE, type Rendition } from './renditions.ts';
import type { MediaFormat } from './sniff.ts';

/** A preview image, encoded. */
export interface GeneratedPreview {
  rendition: Rendition;
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** The image itself could not be rendered (as opposed to storage or the database failing). */
export class PreviewRenderError extends Error {
  constructor(cause: unknown) {
    super(`preview rendering failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'PreviewRenderError';
  }
}

/**
 * Renders `renditions` of the file at `path`: JPEG (quality 82, progressive) for opaque images,
 * PNG where there is transparency (and for every SVG). Rasters are decoded once per call, with
 * EXIF orientation applied, converted to sRGB (CMYK and 16-bit print files included) and never
 * enlarged; the first frame of an animation or page of a multi-page TIFF is used. SVGs are
 * rendered at the density that gives the rendition's exact long edge, so they stay sharp.
 *
 * @example const [thumbnail] = await renderPreviews('/data/files/demo/media/med_1/original', 'png', ['thumbnail']);
 */
export async function renderPreviews(path: string, format: MediaFormat, renditions: readonly Rendition[]): Promise<GeneratedPreview[]> {
  try {
    if (format === 'svg') return await renderSvg(await readFile(path), renditions);
    return await renderRaster(path, renditions);
  } catch (error) {
    throw new PreviewRenderError(error);
  }
}

const open = (input: string | Buffer, options: SharpOptions = {}): Sharp =>
  sharp(input, { failOn: 'error', limitInputPixels: MAX_PIXELS, ...options });

async function encode(image: Sharp, rendition: Rendition, alpha: boolean): Promise<GeneratedPreview> {
  const { data, info } = alpha
    ? await image.png({ compressionLevel: 6 }).toBuffer({ resolveWithObject: true })
    : await image.jpeg({ quality: 82, progressive: true }).toBuffer({ resolveWithObject: true });
  return { rendition, bytes: data, contentType: alpha ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
}

async function renderRaster(path: string, renditions: readonly Rendition[]): Promise<GeneratedPreview[]> {
  const metadata = await open(path).metadata();
  const alpha = metadata.hasAlpha === true;
  const oriented = () => open(path).rotate().toColourspace('srgb');
  const out: GeneratedPreview[] = [];
  const sized = renditions.filter((r): r is Exclude<Rendition, 'full'> => r !== 'full').sort((a, b) => LONG_EDGE[b] - LONG_EDGE[a]);
  if (renditions.includes('full')) out.push(await encode(oriented(), 'full', alpha));
  if (sized.length === 0) return out;
  // Decode once to the largest size wanted, then derive the smaller ones from those pixels.
  const largest = LONG_EDGE[sized[0]!];
  const { data, info } = await oriented()
    .resize(largest, largest, { fit: 'inside', withoutEnlargement: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const pixels = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
  for (const rendition of sized) {
    const edge = LONG_EDGE[rendition];
    out.push(await encode(pixels().resize(edge, edge, { fit: 'inside', withoutEnlargement: true }), rendition, alpha));
  }
  return out;
}

async function renderSvg(svg: Buffer, renditions: readonly Rendition[]): Promise<GeneratedPreview[]> {
  const metadata = await open(svg).metadata();
  const natural = Math.max(metadata.width ?? 0, metadata.height ?? 0) || 300;
  const out: GeneratedPreview[] = [];
  for (const rendition of renditions) {
    const edge = rendition === 'full' ? natural : LONG_EDGE[rendition];
    // librsvg renders at 72 dpi by default: scale the density so the long edge comes out right.
    const density = Math.min(Math.max((72 * edge) / natural, 1), 100_000);
    out.push(await encode(open(svg, { density }).resize(edge, edge, { fit: 'inside' }), rendition, true));
  }
  return out;
}
