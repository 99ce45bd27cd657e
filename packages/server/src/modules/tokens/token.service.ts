import { isScope, normalizeScopes, type Scope } from '@latchkey/contract';
import { trimTrailingSlashes } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { ClientRecord } from './client-registry.ts';
import type { TokenParams } from './token-request.ts';

export interface TokenServiceOptions {
  /** Every audience served; the first is the default. */
  audiences: readonly string[];
}

/** Echoed input stays short: an error description is not a place for 16 KiB of a client's bytes. */
const shorten = (value: string) => (value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** The rules of the token endpoint after client authentication, free of HTTP: audience and scope. */
export class TokenService {
  constructor(private readonly options: TokenServiceOptions) {}

  /**
   * `audience` (Auth0 style) or RFC 8707 `resource`: one audience per token. An audience this
   * server does not serve is `access_denied`; such a resource is `invalid_target`.
   */
  resolveAudience(params: TokenParams): string {
    let audience: string | undefined;
    for (const resource of params.resource) {
      const served = this.served(resource);
      if (!served) throw new AppError('invalid_target', `The resource "${shorten(resource)}" is not served by this server.`);
      if (audience !== undefined && served !== audience) throw new AppError('invalid_target', 'A token has one audience: request one resource at a time.');
      audience = served;
    }
    if (params.audience !== undefined) {
      const fromAudience = this.served(params.audience);
      if (!fromAudience) throw new AppError('access_denied', `The audience "${shorten(params.audience)}" is not served by this server.`);
      if (audience && audience !== fromAudience) throw new AppError('invalid_target', 'audience and resource name different audiences.');
      audience = fromAudience;
    }
    return audience ?? this.options.audiences[0]!;
  }

  /** The served audience `value` names (a trailing slash is forgiven), if any. */
  private served(value: string): string | undefined {
    const trimmed = trimTrailingSlashes(value);
    for (const audience of this.options.audiences) if (audience === value || audience === trimmed) return audience;
    return undefined;
  }

  /** RFC 6749 §3.3: omitted means every scope the integration holds; a subset down-scopes. */
  resolveScopes(record: ClientRecord, requested: string | undefined): readonly Scope[] {
    if (requested === undefined) {
      if (record.scopes.length === 0) throw new AppError('invalid_scope', 'This integration holds no permissions; grant it scopes first.');
      return record.scopes;
    }
    const asked = requested.split(' ').filter(Boolean);
    if (asked.length === 0) return this.resolveScopes(record, undefined);
    const held = new Set<string>(record.scopes);
    const refused = asked.filter((scope) => !isScope(scope) || !held.has(scope));
    if (refused.length > 0) {
      throw new AppError('invalid_scope', `Scope not granted to this integration: ${shorten(refused.join(' '))}.`);
    }
    return normalizeScopes(asked as Scope[]);
  }
}
