import { open, readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../../errors.ts';
import type { MediaFormat, SniffedType } from './sniff.ts';

/** sharp's own default (16383 × 16383): larger images are refused before any decoding. */
export const MAX_PIXELS = 268_402_689;
/** SVGs up to this size are parsed (for width and height) and rasterised for previews. */
export const MAX_SVG_BYTES = 16 * 1024 * 1024;

/** What an upload's bytes say about it: SPEC §4's width, height and metaData (strings only). */
export interface Inspection {
  width: number | null;
  height: number | null;
  metaData: Record<string, string>;
}

const NAMES: Record<MediaFormat, string> = {
  jpeg: 'a JPEG image',
  png: 'a PNG image',
  gif: 'a GIF image',
  webp: 'a WebP image',
  tiff: 'a TIFF image',
  avif: 'an AVIF image',
  svg: 'an SVG image',
  pdf: 'a PDF document',
};

/** The format libvips reports for each sniffed raster format. */
const VIPS_FORMAT: Partial<Record<MediaFormat, string>> = { jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp', tiff: 'tiff', avif: 'heif' };

const damaged = (type: SniffedType) =>
  new AppError('validation_failed', `The file looks like ${NAMES[type.format]} but cannot be read: it is damaged or truncated.`);

/**
 * Reads width, height and metadata from a staged upload, and refuses what cannot be used: a
 * damaged or truncated image (decoded once, at a tiny size, to be sure), an image over
 * MAX_PIXELS, a PDF without its end marker. Rasters report their displayed size (EXIF
 * orientation applied). PDFs have no width or height: libvips here cannot read PDFs.
 *
 * @example const { width, height } = await inspectMedia('/data/files/.tmp/x.part', typeOf('png'), 1234);
 */
export async function inspectMedia(path: string, type: SniffedType, size: number): Promise<Inspection> {
  const base = { format: type.format, mimeType: type.contentType, fileSize: String(size) };
  if (type.format === 'pdf') return { width: null, height: null, metaData: { ...base, ...(await inspectPdf(path, type)) } };
  if (type.format === 'svg') {
    if (size > MAX_SVG_BYTES) return { width: null, height: null, metaData: base };
    const metadata = await readMetadata(await readFile(path), type);
    return { width: metadata.width ?? null, height: metadata.height ?? null, metaData: base };
  }
  const metadata = await readMetadata(path, type);
  if (metadata.format !== VIPS_FORMAT[type.format]) throw damaged(type);
  if (!metadata.width || !metadata.height) throw damaged(type);
  if (metadata.width * metadata.height > MAX_PIXELS) {
    throw new AppError(
      'validation_failed',
      `The image is ${metadata.width} × ${metadata.height} pixels; at most ${MAX_PIXELS.toLocaleString('en-US')} pixels are accepted.`,
    );
  }
  try {
    // Decoding every pixel is the only way to know the data is whole: a truncated JPEG has a
    // perfect header. JPEG's shrink-on-load keeps this cheap for large photos.
    await sharp(path, { failOn: 'error', limitInputPixels: MAX_PIXELS }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw damaged(type);
  }
  const oriented = metadata.autoOrient ?? { width: metadata.width, height: metadata.height };
  return { width: oriented.width, height: oriented.height, metaData: { ...base, ...rasterMetaData(metadata) } };
}

async function readMetadata(input: string | Buffer, type: SniffedType): Promise<Metadata> {
  try {
    return await sharp(input, { failOn: 'error', limitInputPixels: false }).metadata();
  } catch {
    throw damaged(type);
  }
}

/** GraFx's metaData is `Record<string, string>`: every value as a string, absent ones left out. */
function rasterMetaData(metadata: Metadata): Record<string, string> {
  const fields: Record<string, unknown> = {
    space: metadata.space,
    channels: metadata.channels,
    depth: metadata.depth,
    density: metadata.density,
    hasAlpha: metadata.hasAlpha,
    hasProfile: metadata.hasProfile,
    isProgressive: metadata.isProgressive,
    chromaSubsampling: metadata.chromaSubsampling,
    orientation: metadata.orientation,
    pages: metadata.pages && metadata.pages > 1 ? metadata.pages : undefined,
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}

/** The header's version, and a refusal when the end-of-file marker is missing (a truncated upload). */
async function inspectPdf(path: string, type: SniffedType): Promise<Record<string, string>> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(1024, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(1024, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    // ISO 32000-1 §7.5.5: the last line is %%EOF; readers look for it in the last 1024 bytes.
    if (!tail.toString('latin1').includes('%%EOF')) throw damaged(type);
    const version = /%PDF-(\d\.\d)/.exec(head.toString('latin1'))?.[1];
    return version ? { version } : {};
  } finally {
    await handle.close();
  }
}
