import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ENVIRONMENT_ID_PATTERN, EnvironmentSchema, IntegrationSchema, MAX_SECRET_GRACE_SECONDS, MAX_TOKEN_TTL_SECONDS } from './models.ts';
import { PRESETS, SCOPES, isPrivilegedScope, type PresetName, type Scope } from './scopes.ts';

/**
 * Request and response schemas of the management API `/api/v1` (SPEC §3): one schema per route
 * drives validation, the OpenAPI document and the console's types. Request bodies refuse unknown
 * fields (`additionalProperties: false`); responses are serialised from their schema, so a field
 * a schema does not name is never sent.
 */

const closed = { additionalProperties: false } as const;
const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PLATFORM_ROLES = ['owner', 'member'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];
export const ENVIRONMENT_ROLES = ['admin', 'viewer'] as const;
export type EnvironmentRole = (typeof ENVIRONMENT_ROLES)[number];
export const PAT_ACCESS = ['read', 'read-write'] as const;
export type PatAccess = (typeof PAT_ACCESS)[number];

/** The secret-like prefix of a personal access token (`lk_pat_` + 43 base62 + 6-char checksum). */
export const PAT_PREFIX = 'lk_pat_';
/** Secrets and personal access tokens are flagged this long before they expire. */
export const EXPIRES_SOON_SECONDS = 14 * 24 * 3600;

export const PlatformRoleSchema = Type.Union([Type.Literal('owner'), Type.Literal('member')], {
  description: '`owner`: everything, manages people; `member`: what their environment roles allow.',
});
export const EnvironmentRoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('viewer')], { description: '`admin`: integrations and settings; `viewer`: reads.' });
export const PatAccessSchema = Type.Union([Type.Literal('read'), Type.Literal('read-write')], {
  description: '`read`: GET requests only; `read-write`: everything its user may do.',
});

/** The one error shape of the management API. */
export const ProblemSchema = Type.Object({
  error: Type.String({ description: 'A stable code: validation_failed, unauthorized, forbidden, not_found, conflict, too_many_requests, …' }),
  message: Type.String(),
  details: Type.Optional(Type.Array(Type.String())),
});
export type Problem = Static<typeof ProblemSchema>;

// ── People ────────────────────────────────────────────────────────────────────────────────

export const MembershipSchema = Type.Object({ environment: Type.String(), role: EnvironmentRoleSchema });
export type Membership = Static<typeof MembershipSchema>;

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  platformRole: PlatformRoleSchema,
  memberships: Type.Array(MembershipSchema),
  createdAt: DateTime(),
  updatedAt: DateTime(),
  lastSignInAt: Nullable(DateTime()),
});
export type User = Static<typeof UserSchema>;

const Email = Type.String({ minLength: 3, maxLength: 254, description: 'Compared case-insensitively; stored in lower case.' });
const Password = Type.String({ minLength: 1, maxLength: 1024, description: 'At least 12 characters.' });

export const UserCreateBodySchema = Type.Object({ email: Email, password: Password, platformRole: Type.Optional(PlatformRoleSchema) }, closed);
export type UserCreateBody = Static<typeof UserCreateBodySchema>;
export const UserPatchBodySchema = Type.Object(
  { email: Type.Optional(Email), password: Type.Optional(Password), platformRole: Type.Optional(PlatformRoleSchema) },
  closed,
);
export type UserPatchBody = Static<typeof UserPatchBodySchema>;
export const UserListSchema = Type.Object({ data: Type.Array(UserSchema) });

export const MemberSchema = Type.Object({ userId: Type.String(), email: Type.String(), role: EnvironmentRoleSchema, createdAt: DateTime() });
export type Member = Static<typeof MemberSchema>;
export const MemberListSchema = Type.Object({ data: Type.Array(MemberSchema) });
export const MembershipBodySchema = Type.Object({ role: EnvironmentRoleSchema }, closed);

// ── Sessions and setup ────────────────────────────────────────────────────────────────────

export const SignInBodySchema = Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) }, closed);
export type SignInBody = Static<typeof SignInBodySchema>;
export const SetupBodySchema = Type.Object({ token: Type.String({ maxLength: 200 }), email: Email, password: Password }, closed);
export type SetupBody = Static<typeof SetupBodySchema>;
export const SessionSchema = Type.Object({
  user: UserSchema,
  csrfToken: Type.String({ description: 'Send it as `X-CSRF-Token` on every state-changing request made with the session cookie.' }),
});
export type Session = Static<typeof SessionSchema>;
export const SetupStatusSchema = Type.Object({ required: Type.Boolean({ description: 'True until the first owner exists.' }) });
export const MeSchema = Type.Object({
  user: UserSchema,
  via: Type.Union([Type.Literal('session'), Type.Literal('pat')]),
  /** Only for a session: lets a reloaded console find its CSRF token again (same-origin only). */
  csrfToken: Type.Optional(Type.String()),
  access: PatAccessSchema,
});
export type Me = Static<typeof MeSchema>;

// ── Personal access tokens ────────────────────────────────────────────────────────────────

export const PatSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  access: PatAccessSchema,
  /** The last characters of the token, enough to tell two apart, never enough to use. */
  hint: Type.String(),
  createdAt: DateTime(),
  expiresAt: Nullable(DateTime()),
  expiresSoon: Type.Boolean(),
  lastUsedAt: Nullable(DateTime()),
});
export type Pat = Static<typeof PatSchema>;
export const PatCreatedSchema = Type.Intersect([PatSchema, Type.Object({ token: Type.String({ description: 'Shown in this one response only.' }) })]);
export type PatCreated = Static<typeof PatCreatedSchema>;
export const PatListSchema = Type.Object({ data: Type.Array(PatSchema) });
export const PatCreateBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    access: PatAccessSchema,
    expiresAt: Type.Optional(DateTime('Default: 90 days from now; at most 366 days ahead.')),
  },
  closed,
);
export type PatCreateBody = Static<typeof PatCreateBodySchema>;

// ── Environments ──────────────────────────────────────────────────────────────────────────

const Ttl = Type.Integer({ minimum: 60, maximum: MAX_TOKEN_TTL_SECONDS });
const ReuseWindow = Type.Integer({ minimum: 0, maximum: MAX_TOKEN_TTL_SECONDS });
export const EnvironmentCreateBodySchema = Type.Object(
  {
    id: Type.String({ pattern: ENVIRONMENT_ID_PATTERN, description: 'A slug used in URLs.' }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tokenTtlSeconds: Type.Optional(Ttl),
    tokenReuseWindowSeconds: Type.Optional(ReuseWindow),
  },
  closed,
);
export const EnvironmentPatchBodySchema = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tokenTtlSeconds: Type.Optional(Ttl),
    tokenReuseWindowSeconds: Type.Optional(ReuseWindow),
  },
  closed,
);
export const EnvironmentListSchema = Type.Object({ data: Type.Array(EnvironmentSchema) });
export const EnvironmentDeleteQuerySchema = Type.Object({
  confirm: Type.Optional(Type.String({ description: 'Must equal the environment id: deleting an environment deletes everything in it.' })),
});

// ── Integrations ──────────────────────────────────────────────────────────────────────────

const PresetSchema = Type.Union([Type.Literal('all'), Type.Literal('read-only')], {
  description: '`read-only`: every :list and :read scope (browsers); `all`: every scope (back ends only).',
});
const ScopeList = Type.Array(Type.String({ description: 'A scope of the catalog (GET /api/v1/scopes).' }), { maxItems: SCOPES.length * 2 });

export const IntegrationCreateBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    scopes: Type.Optional(ScopeList),
    preset: Type.Optional(PresetSchema),
  },
  closed,
);
export type IntegrationCreateBody = Static<typeof IntegrationCreateBodySchema>;
export const IntegrationPatchBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    scopes: Type.Optional(ScopeList),
    preset: Type.Optional(PresetSchema),
    disabled: Type.Optional(Type.Boolean()),
    allowBrowserWrites: Type.Optional(Type.Boolean({ description: 'Accept tokens with write or output scopes on browser requests (GraFx Studio UI autosave).' })),
  },
  closed,
);
export type IntegrationPatchBody = Static<typeof IntegrationPatchBodySchema>;
export const IntegrationListQuerySchema = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 200, description: 'Matches name, description, id or client id (case-insensitive).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page.' })),
});
export const IntegrationPageSchema = Type.Object({ data: Type.Array(IntegrationSchema), nextCursor: Nullable(Type.String()) });
export const RegenerateSecretBodySchema = Type.Object(
  {
    graceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SECRET_GRACE_SECONDS, description: 'How long the previous secret keeps working (default 0).' })),
    expiresAt: Type.Optional(DateTime('When the new secret stops authenticating (default: never).')),
  },
  closed,
);
export type RegenerateSecretBody = Static<typeof RegenerateSecretBodySchema>;

// ── Scopes ────────────────────────────────────────────────────────────────────────────────

/** The console's grouping of the catalog, in its order (SPEC §3). */
export const SCOPE_GROUPS = [
  { resource: 'template', label: 'Templates' },
  { resource: 'template_collection', label: 'Template collections' },
  { resource: 'media', label: 'Media' },
  { resource: 'font', label: 'Fonts' },
  { resource: 'myproject', label: 'My projects' },
  { resource: 'output', label: 'Output' },
] as const;

export const PRESET_LABELS: Record<PresetName, string> = { 'read-only': 'Read-only', all: 'All permissions' };

export const ScopeCatalogSchema = Type.Object({
  groups: Type.Array(
    Type.Object({
      resource: Type.String(),
      label: Type.String(),
      scopes: Type.Array(
        Type.Object({
          scope: Type.String(),
          /** `list`, `read`, `write`, or for output `static` / `animated`. */
          action: Type.String(),
          /** A write or output scope: an integration holding one must never be used in a browser. */
          privileged: Type.Boolean(),
        }),
      ),
    }),
  ),
  presets: Type.Array(Type.Object({ name: Type.String(), label: Type.String(), scopes: Type.Array(Type.String()) })),
});
export type ScopeCatalog = Static<typeof ScopeCatalogSchema>;

/** The scope catalog grouped by resource, with the presets. */
export function scopeCatalog(): ScopeCatalog {
  return {
    groups: SCOPE_GROUPS.map(({ resource, label }) => ({
      resource,
      label,
      scopes: SCOPES.filter((scope) => scope.split(':')[0] === resource).map((scope: Scope) => ({
        scope,
        action: scope.split(':')[1]!,
        privileged: isPrivilegedScope(scope),
      })),
    })),
    presets: (['read-only', 'all'] as const).map((name) => ({ name, label: PRESET_LABELS[name], scopes: [...PRESETS[name]] })),
  };
}

// ── Audit and activity ────────────────────────────────────────────────────────────────────

export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  at: DateTime(),
  /** Null for platform events (sign-ins, people, personal access tokens, unknown clients). */
  environment: Nullable(Type.String()),
  actor: Type.Object({
    type: Type.String({ description: 'user, pat, cli, integration or system' }),
    id: Type.String(),
    /** A readable name when known: a user's email, a token's name and owner. */
    label: Nullable(Type.String()),
  }),
  action: Type.String(),
  target: Type.Object({ type: Type.String(), id: Type.String() }),
  /** The changed non-secret fields. */
  changes: Nullable(Type.Object({}, { additionalProperties: true })),
  /** A refusal's private reason (wrong_secret, unknown_client, throttled, …). */
  reason: Nullable(Type.String()),
  address: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntrySchema>;
export const AuditQuerySchema = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'An actor id (a user id, a token id, `cli`, a client id) or a type (`user`, `pat`, `cli`, `integration`, `system`).' })),
  action: Type.Optional(Type.String({ maxLength: 80, description: 'An action, or a prefix ending in `*` (`integration.*`).' })),
  target: Type.Optional(Type.String({ maxLength: 200, description: 'A target id (an integration id, a user id, …).' })),
  from: Type.Optional(DateTime('Inclusive.')),
  to: Type.Optional(DateTime('Exclusive.')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type AuditQuery = Static<typeof AuditQuerySchema>;
export const AuditPageSchema = Type.Object({ data: Type.Array(AuditEntrySchema), nextCursor: Nullable(Type.String()) });

export const ActivityQuerySchema = Type.Object({
  from: Type.Optional(DateTime('Inclusive, rounded down to the hour; default 24 hours ago.')),
  to: Type.Optional(DateTime('Exclusive; default now. At most 31 days after from.')),
});
export const ActivityHourSchema = Type.Object({ hour: DateTime(), minted: Type.Integer(), reused: Type.Integer(), refused: Type.Integer() });
export const ActivitySchema = Type.Object({
  integrationId: Type.String(),
  from: DateTime(),
  to: DateTime(),
  hours: Type.Array(ActivityHourSchema),
  totals: Type.Object({ minted: Type.Integer(), reused: Type.Integer(), refused: Type.Integer() }),
});
export type Activity = Static<typeof ActivitySchema>;
