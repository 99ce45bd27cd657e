import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { linkFrom } from '../../modules/environment-api/urls.ts';
import type { TemplateSummary } from '../../modules/templates/templates.repository.ts';
import { templateItem } from '../../modules/templates/templates.routes.ts';
import type { Services } from '../../services.ts';
import { BEARER } from '../plugins/bearer-auth.ts';
import { ENVIRONMENT_API_PREFIX } from '../surfaces/environment-api.ts';

/** `…/environment/{environment}/templates/{id}` with nothing to decode and no query string. */
const PATH = new RegExp(`^${ENVIRONMENT_API_PREFIX.replace(/\//g, '\\/')}\\/([A-Za-z0-9-]{1,63})\\/templates\\/([A-Za-z0-9_-]{1,64})$`);
const MAX_AUTHORIZATION = 8200;

/** Answers a request itself and returns true, or returns false and leaves it alone. */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * `GET templates/{id}`, the Environment API's hottest read (SPEC §7), answered ahead of Fastify's
 * router in the one case that needs nothing from it: a plain GET, no `Origin` (so no CORS and no
 * browser rule to apply), a bearer token this process has already verified for the path's
 * environment and that holds `template:read`, and a template that exists. The checks are the
 * bearer hook's own (the same verifier, the same cache, the same scope); anything else — no token,
 * a token not verified yet, a missing scope, an unknown id — goes to the Environment API surface,
 * which verifies from scratch and answers every error. It never answers anything but a 200.
 */
export function createTemplateItemFastPath(services: Services, fallback: () => RequestListener): FastPath {
  const { accessTokens, content, config } = services;
  return (request, response) => {
    if (request.method !== 'GET' || request.headers.origin !== undefined) return false;
    const url = request.url!;
    const match = url.length < 160 ? PATH.exec(url) : null;
    if (match === null) return false;
    const authorization = request.headers.authorization;
    if (authorization === undefined || authorization.length > MAX_AUTHORIZATION) return false;
    const bearer = BEARER.exec(authorization);
    if (bearer === null) return false;
    const principal = accessTokens.known(bearer[1]!);
    if (principal === undefined || principal.environmentId !== match[1]!.toLowerCase() || !principal.scopes.has('template:read')) return false;
    const id = match[2]!;
    const cached = content.templates.cached(principal.environmentId, id);
    if (cached !== undefined) {
      answer(response, cached, url);
      return true;
    }
    content.templates.get(principal.environmentId, id).then(
      (row) => answer(response, row, url),
      // Not found (or anything else): the surface answers, in its own dialect.
      () => fallback()(request, response),
    );
    return true;
  };

  function answer(response: ServerResponse, row: TemplateSummary, url: string): void {
    const body = JSON.stringify({ data: templateItem(row), links: { download: linkFrom(config.issuer, url, '/download') } });
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }
}
