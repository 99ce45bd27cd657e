/**
 * The scope catalog: exactly the API scopes of the GraFx Environment API (SPEC §1), in the order
 * the seeds print them. Every scope string the server emits follows this order.
 */
export const SCOPES = [
  'font:list',
  'font:read',
  'font:write',
  'media:list',
  'media:read',
  'media:write',
  'myproject:list',
  'myproject:read',
  'myproject:write',
  'output:animated',
  'output:static',
  'template_collection:list',
  'template_collection:read',
  'template_collection:write',
  'template:list',
  'template:read',
  'template:write',
] as const;

export type Scope = (typeof SCOPES)[number];

const catalogIndex = new Map<string, number>(SCOPES.map((scope, index) => [scope, index]));

/** True when `value` is a scope of the catalog. */
export function isScope(value: string): value is Scope {
  return catalogIndex.has(value);
}

/** Removes duplicates and sorts scopes in catalog order (the order every response uses). */
export function normalizeScopes(scopes: Iterable<Scope>): Scope[] {
  return [...new Set(scopes)].sort((a, b) => catalogIndex.get(a)! - catalogIndex.get(b)!);
}

export const PRESETS = {
  /** Every `:list` and `:read` scope: safe for browsers and the editor engine. */
  'read-only': SCOPES.filter((scope) => scope.endsWith(':list') || scope.endsWith(':read')),
  /** Every scope: for back ends only, never for a browser. */
  all: [...SCOPES],
} as const satisfies Record<string, readonly Scope[]>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(value: string): value is PresetName {
  return Object.hasOwn(PRESETS, value);
}

/** Scopes that change data or cost money: a token holding one must never reach a browser. */
export function isPrivilegedScope(scope: Scope): boolean {
  return scope.endsWith(':write') || scope.startsWith('output:');
}
