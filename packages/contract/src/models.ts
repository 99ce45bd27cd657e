import { Type, type Static } from '@sinclair/typebox';
import { SCOPES } from './scopes.ts';

export const ScopeSchema = Type.Union(SCOPES.map((scope) => Type.Literal(scope)));

/** `^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$` — an environment id is a slug used in URLs (SPEC §1). */
export const ENVIRONMENT_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$';
export const MAX_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
export const MAX_SECRET_GRACE_SECONDS = 7 * 24 * 3600;

export const EnvironmentSchema = Type.Object({
  id: Type.String({ pattern: ENVIRONMENT_ID_PATTERN }),
  displayName: Type.String(),
  tokenTtlSeconds: Type.Integer(),
  tokenReuseWindowSeconds: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Environment = Static<typeof EnvironmentSchema>;

export const SecretInfoSchema = Type.Object({
  id: Type.String(),
  /** The last characters of the secret, enough to tell two apart, never enough to use. */
  hint: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  /** The end of a grace period, or the expiry chosen at regeneration; null: never. */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** True from 14 days before `expiresAt`: the console warns (SPEC §3). */
  expiresSoon: Type.Boolean(),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type SecretInfo = Static<typeof SecretInfoSchema>;

export const IntegrationSchema = Type.Object({
  id: Type.String(),
  environment: Type.String(),
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ maxLength: 500 }),
  clientId: Type.String(),
  scopes: Type.Array(ScopeSchema),
  disabled: Type.Boolean(),
  /** Tokens with write or output scopes are accepted on browser requests (GraFx Studio UI autosave). */
  allowBrowserWrites: Type.Boolean(),
  tokensNotBefore: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  secrets: Type.Array(SecretInfoSchema),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Integration = Static<typeof IntegrationSchema>;

/** What creation and regeneration answer: the integration plus its secret, shown this once. */
export const IntegrationWithSecretSchema = Type.Intersect([
  IntegrationSchema,
  Type.Object({ clientSecret: Type.String() }),
]);
export type IntegrationWithSecret = Static<typeof IntegrationWithSecretSchema>;

/** RFC 6749 §5.1 success body, exactly these four members. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}
