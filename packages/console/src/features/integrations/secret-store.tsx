import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * The secrets this browser tab has just received, by integration id, in memory only: shown until
 * the person dismisses them, reloads, or signs out (the provider is remounted then, which drops
 * them). Never written to storage.
 */
interface SecretStore {
  get(integrationId: string): string | undefined;
  put(integrationId: string, secret: string): void;
  forget(integrationId: string): void;
}

const Context = createContext<SecretStore | null>(null);

export function SecretStoreProvider({ children }: { children: ReactNode }) {
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const put = useCallback((id: string, secret: string) => setSecrets((all) => ({ ...all, [id]: secret })), []);
  const forget = useCallback(
    (id: string) =>
      setSecrets((all) => {
        const { [id]: _gone, ...rest } = all;
        return rest;
      }),
    [],
  );
  const value = useMemo<SecretStore>(() => ({ get: (id) => secrets[id], put, forget }), [secrets, put, forget]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSecrets(): SecretStore {
  const store = useContext(Context);
  if (!store) throw new Error('useSecrets outside SecretStoreProvider');
  return store;
}
