import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.ts';

export const CONSOLE_PREFIX = '/console';

/** `packages/console/dist`, built by the install (`npm run build --workspace packages/console`). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist/', import.meta.url));

/**
 * The page may load its own scripts, styles and API answers, and nothing else: no inline script
 * or style, no other origin, never framed. The console is built for exactly this (Vite emits
 * files, uPlot styles through the CSSOM).
 */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** Vite names what it builds under assets/ by content hash: such a URL never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const NOT_BUILT = 'the console is not built: run npm run build --workspace packages/console';

export interface ConsoleSurfaceOptions {
  services: Services;
  /** Where the built console lives (tests point this elsewhere). */
  root?: string;
}

/**
 * The console (SPEC §3): the built single-page app at /console/, from this same server. Hashed
 * assets are cached for a year, index.html is revalidated every time (so a new build is picked up
 * at the next load), and any /console/… path without a file extension answers index.html so that
 * deep links and reloads work. `/console/server.json` tells the page this server's token URL and
 * audience for its "Get a token" samples.
 */
export async function consoleSurface(app: FastifyInstance, options: ConsoleSurfaceOptions): Promise<void> {
  await app.register(consolePlugin, { ...options, prefix: CONSOLE_PREFIX });
}

async function consolePlugin(app: FastifyInstance, { services, root = CONSOLE_DIST }: ConsoleSurfaceOptions): Promise<void> {
  const built = existsSync(root);
  // Without a build at start, stay "not built" until a restart: a page whose assets are not
  // served would only half work.
  const index = built ? indexFile(root) : () => null;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  // `/console` → `/console/`: relative asset URLs and the router expect the slash.
  app.get('/', { prefixTrailingSlash: 'no-slash', schema: { hide: true } }, async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(`${CONSOLE_PREFIX}/${query >= 0 ? request.url.slice(query) : ''}`, 301);
  });

  // `/console/`: the app itself (the static route below would see a directory).
  app.get('/', { prefixTrailingSlash: 'slash', schema: { hide: true } }, async (request, reply) => sendIndex(request, reply, index()));

  app.get('/server.json', { schema: { hide: true } }, async (_request, reply) => {
    const { issuer, audience } = services.config;
    return reply.header('cache-control', 'no-cache').send({ issuer, tokenEndpoint: `${issuer}/oauth/token`, audience });
  });

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      // `/console/` has its own route; other directories are no pages.
      index: false,
      redirect: false,
      wildcard: true,
      decorateReply: false,
      // Cache-Control is ours (setHeaders), per file kind.
      cacheControl: false,
      etag: true,
      lastModified: true,
      dotfiles: 'deny',
      setHeaders: (response, file) => {
        const relative = path.relative(root, file).split(path.sep).join('/');
        response.setHeader('cache-control', relative.startsWith('assets/') ? IMMUTABLE : 'no-cache');
        if (relative.endsWith('.html')) response.setHeader('content-security-policy', CONSOLE_CSP);
      },
    });
  } else {
    // Said once at start, in words a person can act on; every /console/ page then answers 503.
    app.log.warn(`latchkey: ${NOT_BUILT}, then restart the server`);
  }

  // A /console/… path that is no file: the app's own route (deep link, reload) unless it names a
  // file (an extension), which is then simply missing.
  app.setNotFoundHandler(async (request, reply) => {
    const pathname = decodePath(request.url);
    if ((request.method !== 'GET' && request.method !== 'HEAD') || pathname === null || hasExtension(pathname)) {
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send(JSON.stringify({ error: 'not_found', message: `No such file: ${pathname ?? request.url.split('?')[0]}` }));
    }
    return sendIndex(request, reply, index());
  });
}

/** index.html, read again only when its file changes (a rebuild while the server runs). */
function indexFile(root: string): () => Buffer | null {
  const file = path.join(root, 'index.html');
  let cached: { mtimeMs: number; body: Buffer } | null = null;
  return () => {
    try {
      const { mtimeMs } = statSync(file);
      if (!cached || cached.mtimeMs !== mtimeMs) cached = { mtimeMs, body: readFileSync(file) };
      return cached.body;
    } catch {
      cached = null;
      return null;
    }
  };
}

function sendIndex(_request: FastifyRequest, reply: FastifyReply, body: Buffer | null): FastifyReply {
  if (!body) {
    return reply
      .code(503)
      .header('cache-control', 'no-store')
      .header('retry-after', '60')
      .type('text/plain; charset=utf-8')
      .send(`Latchkey: ${NOT_BUILT}, then restart the server.\n`);
  }
  return reply
    .code(200)
    .header('cache-control', 'no-cache')
    .header('content-security-policy', CONSOLE_CSP)
    .type('text/html; charset=utf-8')
    .send(body);
}

function decodePath(url: string): string | null {
  try {
    return decodeURIComponent(url.split('?')[0]!);
  } catch {
    return null;
  }
}

/** `/console/assets/x.js`, `/console/favicon.ico`: a file name; `/console/environments/demo`: a route. */
const hasExtension = (pathname: string) => /\.[A-Za-z0-9]{1,8}$/.test(pathname.slice(pathname.lastIndexOf('/') + 1));

