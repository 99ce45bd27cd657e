import type { Scope } from '@latchkey/contract';
import type { Actor } from '../db/unit-of-work.ts';

/**
 * Who calls the Environment API: the integration a verified bearer token belongs to. Set by the
 * bearer-auth plugin before any handler runs; handlers read it, never the token.
 */
export interface Principal {
  /** The token's environment, canonical (lower-case) id: the path's, matched case-insensitively. */
  environmentId: string;
  integrationId: string;
  clientId: string;
  scopes: ReadonlySet<Scope>;
  jti: string;
  /** Epoch seconds. */
  expiresAt: number;
  allowBrowserWrites: boolean;
  /** The token holds a write or output scope: it must never reach a browser (SPEC §4). */
  privileged: boolean;
  /** The audit actor for changes this caller makes. */
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every request of the Environment API surface (bearer-auth). */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** The scope a route of the Environment API requires (require-scope); every route declares one. */
    scope?: Scope;
  }
}
