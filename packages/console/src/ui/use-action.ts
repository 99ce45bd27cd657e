import { useCallback, useState } from 'react';

/**
 * A change sent from a form or a button: whether it is under way, and why the server refused it
 * (for <ErrorMessage>). Every screen did the same busy / clear / try / catch dance by hand.
 *
 * `run(work, what)` marks `what` pending (a row's id where a table has one button per row; `true`
 * otherwise), clears the last refusal, and resolves to whether `work` succeeded, so a caller can
 * reset or close only then. `reset` forgets both, for a dialog that closes mid-request.
 */
export function useAction() {
  const [pending, setPending] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<unknown>, what: unknown = true): Promise<boolean> => {
    setPending(what);
    setError(null);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setPending(null);
    }
  }, []);
  const reset = useCallback(() => {
    setPending(null);
    setError(null);
  }, []);
  return { busy: pending !== null, pending, error, setError, run, reset };
}
