import { useCallback, useEffect, useRef, useState } from 'react';

/** One request's state, as every screen shows it: loading, failed (with retry), or its data. */
export type Resource<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown }
  | { status: 'ready'; data: T; error?: undefined };

export interface ResourceHandle<T> {
  state: Resource<T>;
  /** Loads again (keeps showing the current data meanwhile, when there is some). */
  reload(): void;
  /** Replaces the data after a change the screen already has the answer of. */
  set(data: T): void;
}

/**
 * Runs `load` now and whenever `deps` change; a newer load aborts the older one, so a slow answer
 * never overwrites a fresh one.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): ResourceHandle<T> {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => (previous.status === 'ready' && generation > 0 ? previous : { status: 'loading' }));
    loadRef.current(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: 'ready', data }),
      (error: unknown) => !controller.signal.aborted && setState({ status: 'error', error }),
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deps are the caller's, by design
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const set = useCallback((data: T) => setState({ status: 'ready', data }), []);
  return { state, reload, set };
}
