import { createHash } from 'node:crypto';
import sharp from 'sharp';

/** A placeholder image, the same bytes for every item of its kind and size. */
export interface Placeholder {
  bytes: Buffer;
  contentType: 'image/png';
  etag: string;
}

const cache = new Map<string, Promise<Placeholder>>();

/**
 * A document page (A4 proportions, a folded corner, a coloured band and grey text lines) as a
 * PNG whose long edge is `longEdge`: what a PDF's raster previews show, since the libvips that
 * ships with sharp cannot render PDFs. Shapes only (no text), so it looks the same whatever
 * fonts the machine has. Rendered once per size and kept (four sizes, a few KiB each).
 *
 * @example const { bytes } = await placeholderPreview('pdf', 300);
 */
export function placeholderPreview(kind: 'pdf' | 'svg', longEdge: number): Promise<Placeholder> {
  const key = `${kind}:${longEdge}`;
  let found = cache.get(key);
  if (!found) {
    found = render(kind, longEdge);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function render(kind: 'pdf' | 'svg', longEdge: number): Promise<Placeholder> {
  // A 210 × 297 page in a 297-unit-high view box.
  const band = kind === 'pdf' ? '#d93025' : '#1a73e8';
  const lines = [150, 172, 194, 216, 238].map((y, i) => `<rect x="40" y="${y}" width="${i === 4 ? 80 : 130}" height="8" rx="4" fill="#c8ccd2"/>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 210 297" width="210" height="297">
    <path d="M8 4h150l48 48v237a4 4 0 0 1-4 4H8a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z" fill="#ffffff" stroke="#9aa0a6" stroke-width="4"/>
    <path d="M158 4v44a4 4 0 0 0 4 4h44" fill="#e8eaed" stroke="#9aa0a6" stroke-width="4"/>
    <rect x="40" y="80" width="130" height="44" rx="6" fill="${band}"/>
    ${lines}
  </svg>`;
  const density = (72 * longEdge) / 297;
  const bytes = await sharp(Buffer.from(svg), { density }).resize(longEdge, longEdge, { fit: 'inside' }).png({ compressionLevel: 9 }).toBuffer();
  return { bytes, contentType: 'image/png', etag: `"${createHash('sha256').update(bytes).digest('base64url')}"` };
}
