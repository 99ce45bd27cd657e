// The scope rules the console needs locally (the catalog itself comes from GET /api/v1/scopes).
// Mirrors isPrivilegedScope of @latchkey/contract, which cannot be imported as a value here
// without pulling TypeBox into the bundle.

/** A write or output scope: an integration holding one must never be used in a browser. */
export const isPrivileged = (scope: string) => scope.endsWith(':write') || scope.startsWith('output:');
