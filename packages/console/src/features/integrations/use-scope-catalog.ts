import { api, type ScopeCatalog } from '../../api/endpoints.ts';
import { useResource } from '../../api/use-resource.ts';

let cached: ScopeCatalog | null = null;

/** GET /api/v1/scopes once per page load: the catalog never changes while the server runs. */
export function useScopeCatalog() {
  return useResource(async (signal) => (cached ??= await api.scopes(signal)), []);
}
