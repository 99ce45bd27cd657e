import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { ByteRange } from '../../infra/file-store/index.ts';

/** A file to answer with: its bytes come from `open` (a range of them for a 206). */
export interface SendableFile {
  size: number;
  /** A strong ETag, quoted. */
  etag: string;
  contentType: string;
  open(range?: ByteRange): Promise<Readable>;
}

export interface SendOptions {
  cacheControl: string;
  /** Content-Disposition: `attachment` makes browsers save rather than render. */
  disposition?: { type: 'inline' | 'attachment'; fileName?: string };
  headers?: Record<string, string>;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current file. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * The single byte range a `Range` header asks for (RFC 9110 §14.1.2), `'unsatisfiable'`, or
 * null when the whole file is to be sent: no header, another unit, several ranges (a server may
 * ignore a Range it does not support, §14.2) or a malformed value.
 *
 * @example parseRange('bytes=0-99', 1000) // { start: 0, end: 99 }
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - length, 0), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** RFC 6266 / RFC 8187: an ASCII fallback and the exact name, percent-encoded in UTF-8. */
export function contentDisposition(type: 'inline' | 'attachment', fileName?: string): string {
  if (!fileName) return type;
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Answers with a stored file: ETag and `If-None-Match` (304), `Range` (206 for one range, 416
 * when it lies beyond the end, `If-Range` honoured), `Accept-Ranges: bytes`, `nosniff`. The bytes
 * are streamed from the store, never read whole; a HEAD gets the headers only.
 */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, file: SendableFile, options: SendOptions): Promise<FastifyReply> {
  reply
    .header('etag', file.etag)
    .header('cache-control', options.cacheControl)
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff');
  if (options.disposition) reply.header('content-disposition', contentDisposition(options.disposition.type, options.disposition.fileName));
  for (const [name, value] of Object.entries(options.headers ?? {})) reply.header(name, value);
  if (noneMatch(request.headers['if-none-match'], file.etag)) return reply.code(304).send();

  const ifRange = request.headers['if-range'] as string | undefined;
  // If-Range with an ETag compares strongly (RFC 9110 §13.1.5); a date cannot match a strong validator here.
  const range = ifRange !== undefined && ifRange.trim() !== file.etag ? null : parseRange(request.headers.range, file.size);
  if (range === 'unsatisfiable') {
    throw new AppError('range_not_satisfiable', `The range lies beyond the end of the file (${file.size} bytes).`, {
      headers: { 'content-range': `bytes */${file.size}` },
    });
  }
  reply.type(file.contentType);
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  else reply.code(200);
  const length = range ? range.end - range.start + 1 : file.size;
  reply.header('content-length', String(length));
  // An empty stream rather than '' or nothing: Fastify then keeps the Content-Length set above
  // (a HEAD answers the length a GET would send) instead of writing 0.
  if (request.method === 'HEAD' || length === 0) return reply.send(Readable.from([]));
  return reply.send(await file.open(range ?? undefined));
}
