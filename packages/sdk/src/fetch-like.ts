/**
 * The `fetch` signature the SDK calls and `createAuthFetch` returns: pass your own (a proxy
 * agent, a test double, undici's fetch) wherever an option says `fetch`.
 *
 * @example
 * ```ts
 * import type { FetchLike } from '@latchkey/sdk';
 * const counting: FetchLike = async (input, init) => {
 *   console.log('→', init?.method ?? 'GET', String(input instanceof Request ? input.url : input));
 *   return fetch(input, init);
 * };
 * ```
 */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * The fetch to use: the one given, else `globalThis.fetch` looked up at call time (so a polyfill
 * or test double installed later still wins, and merely importing the SDK needs no fetch).
 *
 * @internal
 */
export function resolveFetch(given: FetchLike | undefined): FetchLike {
  if (given) return given;
  return (input, init) => {
    const global = globalThis.fetch;
    if (typeof global !== 'function') throw new TypeError('No fetch available: pass the `fetch` option (Node ≥ 18 and browsers have one)');
    return global(input, init);
  };
}
