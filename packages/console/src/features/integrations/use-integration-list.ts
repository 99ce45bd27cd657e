import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Integration } from '../../api/endpoints.ts';

export interface IntegrationListState {
  status: 'loading' | 'ready' | 'error';
  items: Integration[];
  nextCursor: string | null;
  error: unknown;
  loadingMore: boolean;
  moreError: unknown;
  loadMore(): void;
  reload(): void;
  /** Replaces an integration, or adds a new one at the end (the list is in creation order). */
  upsert(integration: Integration): void;
  remove(id: string): void;
}

/** The first page for a search, more pages on demand (cursor paging), kept in step with local changes. */
export function useIntegrationList(environment: string, search: string): IntegrationListState {
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [items, setItems] = useState<Integration[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const current = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    const mine = ++current.current;
    setStatus((s) => (s === 'ready' ? 'ready' : 'loading'));
    api.integrations(environment, { search: search || undefined }, controller.signal).then(
      (page) => {
        if (mine !== current.current) return;
        setItems(page.data);
        setNextCursor(page.nextCursor);
        setStatus('ready');
        setError(null);
      },
      (failure: unknown) => {
        if (controller.signal.aborted || mine !== current.current) return;
        setError(failure);
        setStatus('error');
      },
    );
    return () => controller.abort();
  }, [environment, search, generation]);

  const loadMore = useCallback(() => {
    if (!nextCursor) return;
    const mine = current.current;
    setLoadingMore(true);
    setMoreError(null);
    api.integrations(environment, { search: search || undefined, cursor: nextCursor }).then(
      (page) => {
        if (mine !== current.current) return;
        setItems((all) => [...all, ...page.data.filter((item) => !all.some((known) => known.id === item.id))]);
        setNextCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (failure: unknown) => {
        setMoreError(failure);
        setLoadingMore(false);
      },
    );
  }, [environment, search, nextCursor]);

  const upsert = useCallback((integration: Integration) => {
    setItems((all) => {
      const { clientSecret: _secret, ...clean } = integration as Integration & { clientSecret?: string };
      if (all.some((item) => item.id === clean.id)) return all.map((item) => (item.id === clean.id ? clean : item));
      return [...all, clean];
    });
  }, []);
  const remove = useCallback((id: string) => setItems((all) => all.filter((item) => item.id !== id)), []);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  return { status, items, nextCursor, error, loadingMore, moreError, loadMore, reload, upsert, remove };
}
