import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';

/** Template and project documents: large enough for real GraFx documents with embedded data. */
export const DOCUMENT_BODY_LIMIT = 10 * 1024 * 1024;

/** A JSON body as sent (stored byte for byte) and as parsed (validated). */
export interface JsonDocument {
  text: string;
  value: unknown;
}

const rawBodies = new WeakMap<FastifyRequest, string>();

/**
 * Replaces the inherited `application/json` parser inside one plugin: the raw text is kept (a
 * template is stored exactly as uploaded), an empty body is no body (a rename `PUT` may carry
 * `Content-Type: application/json` and nothing else), and invalid JSON is a 400 problem.
 */
export function useJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // RFC 8259 §8.1 lets a parser ignore a byte order mark; Windows tools add one, and a stored
    // document that starts with one would break every client that parses it back.
    const text = (body as string).replace(/^\uFEFF/, '');
    if (text.trim() === '') return done(null, undefined);
    try {
      const value: unknown = JSON.parse(text);
      rawBodies.set(request, text);
      done(null, value);
    } catch {
      done(new AppError('validation_failed', 'The request body is not valid JSON.'), undefined);
    }
  });
  // Any other type (or a body without one): say what is expected rather than a bare 415.
  app.addContentTypeParser('*', (request, _payload, done) => {
    const type = request.headers['content-type'] || '(none)';
    done(new AppError('unsupported_media_type', `Content-Type ${type} is not supported here: send JSON with Content-Type: application/json.`), undefined);
  });
}

/** The body of a document route, or undefined when the request carried none. */
export function documentOf(request: FastifyRequest): JsonDocument | undefined {
  const text = rawBodies.get(request);
  return text === undefined ? undefined : { text, value: request.body };
}

/** Documents are JSON objects (a GraFx document always is; anything else is a client's mistake). */
export function requireObjectDocument(document: JsonDocument | undefined, what: string): JsonDocument {
  if (!document) throw new AppError('validation_failed', `The request body must be the ${what} (a JSON document).`);
  const value = document.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AppError('validation_failed', `The ${what} must be a JSON object.`);
  }
  return document;
}

/** A strong ETag (RFC 9110 §8.8.3) of the document's bytes, computed once when it is written. */
export const etagOf = (text: string): string => `"${createHash('sha256').update(text).digest('base64url')}"`;

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current document. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * Sends a stored JSON document as `application/json` with its ETag, or 304 when the client
 * already holds it. `private, no-cache`: bearer-protected, so never in a shared cache, and always
 * revalidated (cheap thanks to the ETag).
 */
export function sendDocument(request: FastifyRequest, reply: FastifyReply, document: { text: string; etag: string }): FastifyReply {
  reply.header('etag', document.etag).header('cache-control', 'private, no-cache');
  if (noneMatch(request.headers['if-none-match'], document.etag)) return reply.code(304).send();
  return reply.code(200).type('application/json; charset=utf-8').send(document.text);
}
