import { create, type Font } from 'fontkit';

export type FontFormat = 'ttf' | 'otf' | 'woff' | 'woff2';

export const FONT_CONTENT_TYPES: Record<FontFormat, string> = {
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
};

/** What a font file says about itself, and what makes it unusable (empty when it can be uploaded). */
export interface FontReading {
  format: FontFormat | null;
  familyName: string;
  styleName: string;
  errors: string[];
}

/** The largest decompressed WOFF/WOFF2 accepted (real fonts, CJK included, are far smaller). */
const MAX_SFNT_BYTES = 64 * 1024 * 1024;

const ACCEPTED = 'TTF, OTF, WOFF and WOFF2 fonts are accepted (the type is read from the file, not its name)';

/**
 * The font format from the first four bytes: an sfnt version (TrueType `00 01 00 00` or `true`,
 * CFF OpenType `OTTO`) or a WOFF signature (`wOFF`, `wOF2`).
 *
 * @example sniffFont(Buffer.from('wOF2')) // 'woff2'
 */
export function sniffFont(bytes: Uint8Array): FontFormat | 'collection' | null {
  const tag = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  if (tag === '\x00\x01\x00\x00' || tag === 'true') return 'ttf';
  if (tag === 'OTTO') return 'otf';
  if (tag === 'wOFF') return 'woff';
  if (tag === 'wOF2') return 'woff2';
  if (tag === 'ttcf') return 'collection';
  return null;
}

/**
 * Structural checks fontkit does not make (it reads lazily, so a truncated file can look fine):
 * every table of an sfnt lies inside the file; a WOFF's declared length is the file's.
 */
function structuralError(bytes: Buffer, format: FontFormat): string | null {
  if (format === 'woff' || format === 'woff2') {
    if (bytes.length < 48) return 'The font file is truncated.';
    if (bytes.readUInt32BE(8) !== bytes.length) return 'The font file is truncated or damaged (its length does not match its header).';
    // What decompressing yields, per table: refused past a bound, so a small file cannot make
    // the decompressor allocate gigabytes (a compression bomb).
    const sizes = format === 'woff' ? woffTableSizes(bytes) : woff2TableSizes(bytes);
    if (sizes === null) return 'The font file is damaged (its table directory cannot be read).';
    if (bytes.readUInt32BE(16) > MAX_SFNT_BYTES || sizes.reduce((sum, size) => sum + size, 0) > MAX_SFNT_BYTES) {
      return 'The font is too large once decompressed.';
    }
    return null;
  }
  if (bytes.length < 12) return 'The font file is truncated.';
  const tables = bytes.readUInt16BE(4);
  if (tables === 0 || 12 + tables * 16 > bytes.length) return 'The font file is truncated or damaged (its table directory is incomplete).';
  for (let i = 0; i < tables; i++) {
    const record = 12 + i * 16;
    const offset = bytes.readUInt32BE(record + 8);
    const length = bytes.readUInt32BE(record + 12);
    if (offset + length > bytes.length) return 'The font file is truncated or damaged (a table lies beyond its end).';
  }
  return null;
}

/** WOFF 1.0 §5: 20-byte directory entries after the 44-byte header; origLength at +12. */
function woffTableSizes(bytes: Buffer): number[] | null {
  const tables = bytes.readUInt16BE(12);
  if (44 + tables * 20 > bytes.length) return null;
  const sizes: number[] = [];
  for (let i = 0; i < tables; i++) {
    const entry = 44 + i * 20;
    const offset = bytes.readUInt32BE(entry + 4);
    const compressed = bytes.readUInt32BE(entry + 8);
    if (offset + compressed > bytes.length) return null;
    sizes.push(bytes.readUInt32BE(entry + 12));
  }
  return sizes;
}

/** WOFF2 §5.2: variable-length entries after the 48-byte header (flags, optional tag, UIntBase128 lengths). */
function woff2TableSizes(bytes: Buffer): number[] | null {
  const tables = bytes.readUInt16BE(12);
  let at = 48;
  const base128 = (): number | null => {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (at >= bytes.length) return null;
      const byte = bytes[at++]!;
      if (value & 0xfe000000) return null;
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) return value;
    }
    return null;
  };
  const sizes: number[] = [];
  for (let i = 0; i < tables; i++) {
    if (at >= bytes.length) return null;
    const flags = bytes[at++]!;
    const custom = (flags & 0x3f) === 0x3f;
    if (custom) at += 4;
    const length = base128();
    if (length === null) return null;
    // glyf (10) and loca (11) are transformed unless their version is 3; other tables when it is not 0.
    const known = flags & 0x3f;
    const version = flags >>> 6;
    const transformed = !custom && (known === 10 || known === 11) ? version === 0 : version !== 0;
    let size = length;
    if (transformed) {
      const transformLength = base128();
      if (transformLength === null) return null;
      size = Math.max(length, transformLength);
    }
    sizes.push(size);
  }
  return sizes;
}

// Names come from the file: control characters (invisible, and a log-injection trick) go.
const clean = (value: string | null | undefined): string => (value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();

/**
 * Reads the family and style names of a font file with fontkit: the typographic names (name IDs
 * 16 and 17) when the font has them, else the legacy ones (1 and 2), so "Inter Bold" reads as
 * family "Inter", style "Bold". Never throws: whatever is wrong is in `errors`.
 *
 * @example readFont(bytes).familyName // 'Source Code Pro'
 */
export function readFont(bytes: Buffer): FontReading {
  const sniffed = sniffFont(bytes);
  if (sniffed === null) return { format: null, familyName: '', styleName: '', errors: [`The file is not a font: ${ACCEPTED}.`] };
  if (sniffed === 'collection') {
    return { format: null, familyName: '', styleName: '', errors: [`Font collections (TTC) are not accepted: upload each font on its own. ${ACCEPTED}.`] };
  }
  const structural = structuralError(bytes, sniffed);
  if (structural) return { format: sniffed, familyName: '', styleName: '', errors: [structural] };
  let font: Font;
  try {
    const opened = create(bytes);
    if ('fonts' in opened) return { format: null, familyName: '', styleName: '', errors: ['Font collections are not accepted: upload each font on its own.'] };
    font = opened;
    const familyName = clean(font.getName('preferredFamily') ?? font.familyName);
    const styleName = clean(font.getName('preferredSubfamily') ?? font.subfamilyName);
    const errors: string[] = [];
    if (!familyName) errors.push('The font does not name its family.');
    return { format: sniffed, familyName, styleName: styleName || 'Regular', errors };
  } catch {
    return { format: sniffed, familyName: '', styleName: '', errors: ['The font file is damaged: it cannot be read.'] };
  }
}
