/**
 * Anything that hands out bearer tokens: {@link ClientCredentials} on a back end,
 * {@link BrowserTokenSource} in a browser, or your own object. `createAuthFetch` and
 * `EnvironmentApi` take one.
 *
 * `invalidate(token)` is called after the API refused `token` with 401: drop it if it is still
 * the cached one (passing the refused token keeps many concurrent 401s from dropping a token
 * that was already replaced), so the next `getToken()` fetches a new one.
 *
 * @example
 * ```ts
 * import { createAuthFetch, type TokenSource } from '@latchkey/sdk';
 * // A fixed token, e.g. from a CI secret (never refreshed, never invalidated).
 * const fixed: TokenSource = { getToken: async () => process.env.LATCHKEY_TOKEN! };
 * const authFetch = createAuthFetch(fixed);
 * ```
 */
export interface TokenSource {
  getToken(): Promise<string>;
  invalidate?(token?: string): void;
}
