/**
 * Tables of people and access (users, sessions, memberships, personal access tokens, setup tokens,
 * activity). Kept apart from schema.ts so the management modules own their table types;
 * `Database` extends this. Times are epoch milliseconds, as everywhere.
 */
export interface ManagementTables {
  users: {
    id: string;
    /** Lower case: compared as given, so one address is one account. */
    email: string;
    /** `scrypt$N$r$p$salt$hash`: the parameters travel with each hash, so they can be raised. */
    password_hash: string;
    platform_role: 'owner' | 'member';
    created_at: number;
    updated_at: number;
    last_sign_in_at: number | null;
  };
  memberships: {
    environment_id: string;
    user_id: string;
    role: 'admin' | 'viewer';
    created_at: number;
  };
  sessions: {
    /** HMAC of the session id (the cookie's value): a database leak signs nobody in. */
    id_hash: string;
    user_id: string;
    master_key_id: string;
    created_at: number;
    /** Last request seen (written at most once a minute): the idle expiry counts from here. */
    last_seen_at: number;
    /** The absolute expiry. */
    expires_at: number;
    address: string | null;
    user_agent: string | null;
  };
  personal_access_tokens: {
    id: string;
    user_id: string;
    name: string;
    /** HMAC of the token under the PAT subkey. */
    token_hash: string;
    master_key_id: string;
    hint: string;
    access: 'read' | 'read-write';
    created_at: number;
    expires_at: number | null;
    last_used_at: number | null;
  };
  setup_tokens: {
    /** HMAC of the one-time first-owner setup token. */
    token_hash: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
  integration_activity: {
    integration_id: string;
    /** Start of the hour, epoch ms. */
    hour: number;
    environment_id: string;
    minted: number;
    reused: number;
    refused: number;
  };
}
