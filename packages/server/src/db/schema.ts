import type { Generated } from 'kysely';
import type { ContentTables } from './schema-content.ts';
import type { ManagementTables } from './schema-management.ts';

/**
 * Kysely's view of the schema. Times are epoch milliseconds (bigint in PostgreSQL, parsed to
 * number), booleans are 0/1 integers: one representation on both dialects.
 */
export interface Database extends ContentTables, ManagementTables {
  latchkey_meta: { key: string; value: string };
  latchkey_migrations: { name: string; applied_at: number };
  environments: {
    id: string;
    display_name: string;
    token_ttl_seconds: number;
    token_reuse_window_seconds: number;
    created_at: number;
    updated_at: number;
  };
  integrations: {
    id: string;
    environment_id: string;
    name: string;
    description: string;
    client_id: string;
    /** Space-separated, catalog order. */
    scopes: string;
    disabled: number;
    /** Epoch seconds; tokens with an earlier `iat` are dead. */
    tokens_not_before: number | null;
    /** Bumped by every change that must end token reuse; part of the reuse key. */
    token_generation: number;
    /** 1: tokens with write or output scopes are accepted on browser requests (SPEC §4). */
    allow_browser_writes: number;
    created_by: string;
    created_at: number;
    updated_at: number;
  };
  integration_secrets: {
    id: string;
    integration_id: string;
    environment_id: string;
    secret_hash: string;
    master_key_id: string;
    hint: string;
    created_at: number;
    /** Null while current; the end of the grace period once replaced. */
    expires_at: number | null;
    last_used_at: number | null;
  };
  signing_keys: {
    kid: string;
    alg: string;
    public_jwk: string;
    private_key: string;
    master_key_id: string;
    created_at: number;
    /** Signs from this time on (one JWKS max-age after publication, unless emergency). */
    activates_at: number;
    /** Stops signing at this time (set when a successor is created). */
    retires_at: number | null;
    /** Leaves the JWKS at this time: after every token it signed has expired. */
    unpublish_at: number | null;
    /** Emergency rotation: every token it signed is dead from this moment. */
    revoked_at: number | null;
  };
  reusable_tokens: {
    /** integration id, generation, audience and sorted scopes, hashed. */
    cache_key: string;
    environment_id: string;
    integration_id: string;
    jti: string;
    kid: string;
    token: string;
    master_key_id: string;
    scope: string;
    issued_at: number;
    expires_at: number;
  };
  revoked_tokens: {
    jti: string;
    environment_id: string;
    integration_id: string;
    revoked_at: number;
    /** Epoch seconds. */
    expires_at: number;
  };
  audit_log: {
    id: string;
    environment_id: string | null;
    at: number;
    actor_type: string;
    actor_id: string;
    action: string;
    target_type: string;
    target_id: string;
    /** JSON of the changed non-secret fields. */
    changes: string | null;
    /** A refusal's private reason (unknown_client, wrong_secret, …). */
    reason: string | null;
    address: string | null;
    user_agent: string | null;
  };
  change_feed: {
    seq: Generated<number>;
    environment_id: string;
    kind: string;
    entity_id: string;
    created_at: number;
  };
}
