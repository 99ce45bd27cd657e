// Typed calls of the management API (SPEC §3). The types come from @latchkey/contract, the same
// TypeBox schemas that validate the server's routes, so a renamed field fails the console's
// type-check instead of a screen. Only types are imported: nothing of TypeBox reaches the bundle.
import type {
  Activity,
  AuditEntry,
  AuditQuery,
  Environment,
  EnvironmentRole,
  Integration,
  IntegrationCreateBody,
  IntegrationPatchBody,
  IntegrationWithSecret,
  Me,
  Member,
  Pat,
  PatCreateBody,
  PatCreated,
  PlatformRole,
  RegenerateSecretBody,
  ScopeCatalog,
  Session,
  User,
} from '@latchkey/contract';
import { del, get, patch, post, put, seg } from './client.ts';

export type {
  Activity,
  AuditEntry,
  AuditQuery,
  Environment,
  EnvironmentRole,
  Integration,
  IntegrationWithSecret,
  Me,
  Member,
  Pat,
  PatCreated,
  PlatformRole,
  ScopeCatalog,
  Session,
  User,
};

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface EnvironmentInput {
  id: string;
  displayName?: string;
  tokenTtlSeconds?: number;
  tokenReuseWindowSeconds?: number;
}
export type EnvironmentPatch = Partial<Omit<EnvironmentInput, 'id'>>;

/** What the console needs to know about this server to write token snippets. */
export interface ServerInfo {
  issuer: string;
  tokenEndpoint: string;
  audience: string;
}

const env = (id: string) => `/environments/${seg(id)}`;
const integration = (environment: string, id: string) => `${env(environment)}/integrations/${seg(id)}`;

export const api = {
  // Setup and sessions
  setupStatus: (signal?: AbortSignal) => get<{ required: boolean }>('/setup', { signal, expectUnauthorized: true }),
  setup: (body: { token: string; email: string; password: string }) => post<Partial<Session>>('/setup', body, { expectUnauthorized: true }),
  signIn: (body: { email: string; password: string }) => post<Session>('/session', body, { expectUnauthorized: true }),
  signOut: () => del('/session', { expectUnauthorized: true }),
  me: (signal?: AbortSignal) => get<Me>('/me', { signal, expectUnauthorized: true }),
  serverInfo: (signal?: AbortSignal) => get<ServerInfo>('/console/server.json', { signal }),

  // Environments
  environments: (signal?: AbortSignal) => get<{ data: Environment[] }>('/environments', { signal }),
  environment: (id: string, signal?: AbortSignal) => get<Environment>(env(id), { signal }),
  createEnvironment: (body: EnvironmentInput) => post<Environment>('/environments', body),
  updateEnvironment: (id: string, body: EnvironmentPatch) => patch<Environment>(env(id), body),
  deleteEnvironment: (id: string) => del(env(id), { query: { confirm: id } }),

  // Integrations
  integrations: (environment: string, query: { search?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    get<Page<Integration>>(`${env(environment)}/integrations`, { query, signal }),
  integration: (environment: string, id: string, signal?: AbortSignal) => get<Integration>(integration(environment, id), { signal }),
  createIntegration: (environment: string, body: IntegrationCreateBody) => post<IntegrationWithSecret>(`${env(environment)}/integrations`, body),
  updateIntegration: (environment: string, id: string, body: IntegrationPatchBody) => patch<Integration>(integration(environment, id), body),
  deleteIntegration: (environment: string, id: string) => del(integration(environment, id)),
  regenerateSecret: (environment: string, id: string, body: RegenerateSecretBody) =>
    post<IntegrationWithSecret>(`${integration(environment, id)}/secrets`, body),
  deleteSecret: (environment: string, id: string, secretId: string) => del<Integration | undefined>(`${integration(environment, id)}/secrets/${seg(secretId)}`),
  revokeTokens: (environment: string, id: string) => post<Integration | undefined>(`${integration(environment, id)}/revoke-tokens`, {}),
  activity: (environment: string, id: string, query: { from?: string; to?: string }, signal?: AbortSignal) =>
    get<Activity>(`${integration(environment, id)}/activity`, { query, signal }),
  scopes: (signal?: AbortSignal) => get<ScopeCatalog>('/scopes', { signal }),

  // Audit
  audit: (environment: string, query: Omit<AuditQuery, 'limit'> & { limit?: number }, signal?: AbortSignal) =>
    get<Page<AuditEntry>>(`${env(environment)}/audit`, { query, signal }),

  // People
  users: (signal?: AbortSignal) => get<{ data: User[] }>('/users', { signal }),
  createUser: (body: { email: string; password: string; platformRole?: PlatformRole }) => post<User>('/users', body),
  updateUser: (id: string, body: { email?: string; password?: string; platformRole?: PlatformRole }) => patch<User>(`/users/${seg(id)}`, body),
  deleteUser: (id: string) => del(`/users/${seg(id)}`),
  members: (environment: string, signal?: AbortSignal) => get<{ data: Member[] }>(`${env(environment)}/members`, { signal }),
  setMember: (environment: string, userId: string, role: EnvironmentRole) => put<unknown>(`${env(environment)}/members/${seg(userId)}`, { role }),
  removeMember: (environment: string, userId: string) => del(`${env(environment)}/members/${seg(userId)}`),

  // Personal access tokens
  tokens: (signal?: AbortSignal) => get<{ data: Pat[] }>('/me/tokens', { signal }),
  createToken: (body: PatCreateBody) => post<PatCreated>('/me/tokens', body),
  deleteToken: (id: string) => del(`/me/tokens/${seg(id)}`),
};
