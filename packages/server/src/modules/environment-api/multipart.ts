import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { tooLarge } from '../../infra/file-store/meter.ts';

/** Room for boundaries, part headers and a few small fields around the files of a multipart body. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * Streaming multipart for the upload routes of one plugin: nothing is buffered or written to a
 * temporary file by the plugin itself; the routes stream each file where it belongs. Busboy's
 * own file limit sits one byte above ours so that it never truncates silently: our meter sees
 * the byte too many and refuses with 413.
 */
export async function useMultipart(app: FastifyInstance, maxUploadBytes: number, maxFiles: number): Promise<void> {
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: maxUploadBytes + 1, files: maxFiles, fields: 20, fieldSize: 64 * 1024, parts: maxFiles + 20, headerPairs: 100 },
  });
  // Any other body type: say what this route expects (uploads take multipart, the rest JSON).
  app.removeContentTypeParser('*');
  app.addContentTypeParser('*', (request, _payload, done) => {
    const type = request.headers['content-type'] || '(none)';
    const expected = request.method === 'POST' ? 'send the file as multipart/form-data, in the field "file"' : 'send JSON with Content-Type: application/json';
    done(new AppError('unsupported_media_type', `Content-Type ${type} is not supported here: ${expected}.`, { headers: { connection: 'close' } }), undefined);
  });
}

/**
 * Refuses what cannot be an upload before reading it: a body that is not multipart (415), or one
 * whose declared length already exceeds what the route accepts (413, without reading it).
 */
export function expectMultipart(request: FastifyRequest, maxBodyBytes: number): void {
  if (!request.isMultipart()) {
    throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data, in the field "file".', { headers: { connection: 'close' } });
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes + MULTIPART_OVERHEAD) throw tooLarge(maxBodyBytes);
}

/** Busboy's and the plugin's errors as the client's mistakes they are (never a 500). */
export function multipartError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { statusCode?: number } | null)?.statusCode;
  const message = (error as Error | null)?.message ?? String(error);
  if (status === 413) return new AppError('payload_too_large', 'The multipart body has too many parts or fields.', { headers: { connection: 'close' } });
  return new AppError('validation_failed', `The multipart body cannot be read: ${message.slice(0, 200)}`, { headers: { connection: 'close' } });
}

/** Tells an upload that its client went away, so its streams fail instead of waiting for ever. */
export interface DisconnectWatch {
  /** Calls `callback` once the client is gone (at once if it already is). */
  onGone(callback: (error: AppError) => void): void;
  /** A promise that rejects when the client goes (race it against a read that may never end). */
  gone(): Promise<never>;
  detach(): void;
}

/**
 * Watches the connection of an upload: the client closing it (or half-closing it, as a
 * disconnecting client's FIN does) before the body is complete means the body never will be.
 * Node does not always tell the request so: the server's `clientError` handling of the
 * half-closed socket can leave the request waiting, and with it the upload and a graceful
 * shutdown. The answer to a gone client closes the connection.
 *
 * @example const watch = watchDisconnect(request); try { … } finally { watch.detach(); }
 */
export function watchDisconnect(request: FastifyRequest): DisconnectWatch {
  const raw = request.raw;
  const socket = raw.socket;
  let error: AppError | null = null;
  const callbacks: Array<(error: AppError) => void> = [];
  const fire = () => {
    if (error || raw.complete) return;
    error = new AppError('validation_failed', 'The client disconnected before the upload was complete.', { headers: { connection: 'close' } });
    for (const callback of callbacks.splice(0)) callback(error);
  };
  socket.on('end', fire);
  socket.on('close', fire);
  raw.on('aborted', fire);
  return {
    onGone(callback) {
      if (error) callback(error);
      else callbacks.push(callback);
    },
    gone() {
      return new Promise<never>((_, reject) => this.onGone(reject));
    },
    detach() {
      socket.off('end', fire);
      socket.off('close', fire);
      raw.off('aborted', fire);
    },
  };
}

/** An upload stream that ended early (a body cut short): the client's mistake, never a 500. */
export function cutShort(cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  const message = (cause as Error | null)?.message ?? String(cause);
  return new AppError('validation_failed', `The upload ended before the file was complete (${message.slice(0, 100)}).`, { headers: { connection: 'close' } });
}

/**
 * The first file of the body, which must be in `field` (fields before it are skipped).
 *
 * @example const part = await firstFile(request, 'file', watch); part.file.pipe(destination);
 */
export async function firstFile(request: FastifyRequest, field: string, watch: DisconnectWatch): Promise<MultipartFile> {
  let part: MultipartFile | undefined;
  try {
    part = await Promise.race([request.file(), watch.gone()]);
  } catch (error) {
    throw multipartError(error);
  }
  if (!part) throw new AppError('validation_failed', `The multipart body holds no file: send it in the field "${field}".`);
  if (part.fieldname !== field) {
    part.file.resume();
    throw new AppError('validation_failed', `The file must be sent in the multipart field "${field}", not "${part.fieldname.slice(0, 50)}".`, {
      headers: { connection: 'close' },
    });
  }
  const file = part.file;
  watch.onGone((error) => file.destroy(error));
  return part;
}

/**
 * Every file part of the body in order (fields are skipped), each consumed before the next one
 * is read, as busboy delivers them.
 *
 * @example for await (const part of filesOf(request, 'file', watch)) await store(part);
 */
export async function* filesOf(request: FastifyRequest, field: string, watch: DisconnectWatch): AsyncGenerator<MultipartFile> {
  const parts = request.files();
  for (;;) {
    let next: IteratorResult<MultipartFile>;
    try {
      next = await Promise.race([parts.next(), watch.gone()]);
    } catch (error) {
      throw multipartError(error);
    }
    if (next.done) return;
    const file = next.value.file;
    watch.onGone((error) => file.destroy(error));
    if (next.value.fieldname !== field) {
      next.value.file.resume();
      throw new AppError('validation_failed', `Files must be sent in the multipart field "${field}", not "${next.value.fieldname.slice(0, 50)}".`, {
        headers: { connection: 'close' },
      });
    }
    yield next.value;
  }
}
