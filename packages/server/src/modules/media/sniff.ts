import { AppError } from '../../errors.ts';

/** Media formats accepted, read from the bytes (never from the name or the declared type). */
export type MediaFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'avif' | 'svg' | 'pdf';

export interface SniffedType {
  format: MediaFormat;
  contentType: string;
  extension: string;
  /** SVG and PDF: previews that can be vectors answer the original file. */
  vector: boolean;
}

/** How many leading bytes sniffing looks at (an SVG's prolog and comments must fit). */
export const SNIFF_BYTES = 16 * 1024;

const TYPES: Record<MediaFormat, SniffedType> = {
  jpeg: { format: 'jpeg', contentType: 'image/jpeg', extension: 'jpg', vector: false },
  png: { format: 'png', contentType: 'image/png', extension: 'png', vector: false },
  gif: { format: 'gif', contentType: 'image/gif', extension: 'gif', vector: false },
  webp: { format: 'webp', contentType: 'image/webp', extension: 'webp', vector: false },
  tiff: { format: 'tiff', contentType: 'image/tiff', extension: 'tif', vector: false },
  avif: { format: 'avif', contentType: 'image/avif', extension: 'avif', vector: false },
  svg: { format: 'svg', contentType: 'image/svg+xml', extension: 'svg', vector: true },
  pdf: { format: 'pdf', contentType: 'application/pdf', extension: 'pdf', vector: true },
};

export const typeOf = (format: MediaFormat): SniffedType => TYPES[format];

const ACCEPTED = 'JPEG, PNG, GIF, WebP, TIFF, AVIF, SVG or PDF';
const refuse = (why: string) =>
  new AppError('unsupported_media_type', `${why} Media must be ${ACCEPTED}; the type is read from the file's bytes, not from its name.`, {
    // The client may still be sending the rest of a large file: do not read it.
    headers: { connection: 'close' },
  });

const startsWith = (head: Buffer, bytes: number[], at = 0) => bytes.every((byte, i) => head[at + i] === byte);
const ascii = (head: Buffer, from: number, to: number) => head.subarray(from, to).toString('latin1');

/**
 * The type of a file from its first bytes (up to SNIFF_BYTES), or a 415 naming what it looks
 * like when that is not accepted.
 *
 * @example sniffMedia(Buffer.from('89504e470d0a1a0a', 'hex')).format // 'png'
 */
export function sniffMedia(head: Buffer): SniffedType {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return TYPES.jpeg;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return TYPES.png;
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return TYPES.gif;
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return TYPES.webp;
  // Classic and BigTIFF, both byte orders.
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return TYPES.tiff;
  if (startsWith(head, [0x49, 0x49, 0x2b, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])) return TYPES.tiff;
  if (ascii(head, 4, 8) === 'ftyp') {
    if (isobmffBrands(head).some((brand) => brand === 'avif' || brand === 'avis')) return TYPES.avif;
    throw refuse('HEIC/HEIF and other ISO media files are not accepted (only AVIF is).');
  }
  if (ascii(head, 0, 5) === '%PDF-') return TYPES.pdf;
  if (startsWith(head, [0x1f, 0x8b])) throw refuse('Compressed files (gzip, including .svgz) are not accepted: upload the plain SVG.');
  if (ascii(head, 0, 2) === 'BM') throw refuse('BMP images are not accepted: convert them to PNG.');
  if (ascii(head, 0, 2) === 'MZ' || startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) || startsWith(head, [0xcf, 0xfa, 0xed, 0xfe])) {
    throw refuse('The file is an executable program.');
  }
  if (looksLikeSvg(head)) return TYPES.svg;
  // PDF 1.7 (ISO 32000-1, annex H): readers accept the header anywhere in the first 1024 bytes.
  if (ascii(head, 0, 1024).includes('%PDF-')) return TYPES.pdf;
  if (head.length === 0) throw refuse('The file is empty.');
  throw refuse('The file is not of an accepted type.');
}

/** The major and compatible brands of an ISO base media file's leading `ftyp` box. */
function isobmffBrands(head: Buffer): string[] {
  if (head.length < 16) return [];
  const boxSize = Math.min(head.readUInt32BE(0), head.length);
  const brands = [ascii(head, 8, 12)];
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.push(ascii(head, at, at + 4));
  return brands;
}

/**
 * An XML document whose root element is `svg`: after an optional BOM, XML declaration,
 * comments, processing instructions and a DOCTYPE. A DOCTYPE with an internal subset (where
 * entities are declared: "billion laughs" and external entities) is refused outright.
 */
function looksLikeSvg(head: Buffer): boolean {
  let text = head.toString('utf8');
  if (text.includes('\uFFFD')) {
    // A multi-byte character cut at the end of the head is fine; anything else is not UTF-8 text.
    if (text.slice(0, -4).includes('\uFFFD')) return false;
  }
  text = text.replace(/^\uFEFF/, '');
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  for (;;) {
    skipSpace();
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at);
      if (end < 0) return false;
      at = end + 2;
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at);
      if (end < 0) return false;
      at = end + 3;
    } else if (text.startsWith('<!DOCTYPE', at) || text.startsWith('<!doctype', at)) {
      const end = text.indexOf('>', at);
      if (end < 0) return false;
      if (text.slice(at, end).includes('[')) {
        throw refuse('SVG files that declare entities (a DOCTYPE with an internal subset) are not accepted.');
      }
      at = end + 1;
    } else {
      break;
    }
  }
  return /^<(?:[A-Za-z_][\w.-]*:)?svg[\s/>]/.test(text.slice(at, at + 64));
}
