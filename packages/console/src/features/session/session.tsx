import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { onUnauthorized, setCsrfToken } from '../../api/client.ts';
import { isStatus } from '../../api/errors.ts';
import { api, type Me, type Session } from '../../api/endpoints.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; me: Me };

interface SessionApi {
  state: SessionState;
  signIn(email: string, password: string): Promise<void>;
  /** After setup: the setup answer may already be a session; otherwise sign in with what was typed. */
  adopt(session: Partial<Session>, email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionApi | null>(null);

export function SessionProvider({ children, onSignedOut }: { children: ReactNode; onSignedOut: () => void }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    api.me(controller.signal).then(
      (me) => {
        setCsrfToken(me.csrfToken ?? null);
        setState({ status: 'signed-in', me });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState(isStatus(error, 401) ? { status: 'signed-out' } : { status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [attempt]);

  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null);
      onSignedOut();
      setState({ status: 'signed-out', reason: 'Your session has ended. Sign in again to continue.' });
    });
    return () => onUnauthorized(null);
  }, [onSignedOut]);

  const begin = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'signed-in', me: { user: session.user, via: 'session', csrfToken: session.csrfToken, access: 'read-write' } });
  }, []);

  const value = useMemo<SessionApi>(
    () => ({
      state,
      async signIn(email, password) {
        begin(await api.signIn({ email, password }));
      },
      async adopt(session, email, password) {
        if (session.user && session.csrfToken) begin(session as Session);
        else begin(await api.signIn({ email, password }));
      },
      async signOut() {
        try {
          await api.signOut();
        } finally {
          setCsrfToken(null);
          onSignedOut();
          setState({ status: 'signed-out', reason: 'You have signed out.' });
        }
      },
      retry: () => setAttempt((n) => n + 1),
    }),
    [state, begin, onSignedOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in person (only under a signed-in shell). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe while not signed in');
  return state.me;
}

export type Role = 'owner' | 'admin' | 'viewer';

/** Owners are admins everywhere; others have the role of their membership, if any. */
export function roleIn(me: Me, environment: string): Role | null {
  if (me.user.platformRole === 'owner') return 'owner';
  return me.user.memberships.find((m) => m.environment === environment)?.role ?? null;
}

/** May this person change things in this environment? (The API decides anyway.) */
export function canChange(me: Me, environment: string): boolean {
  const role = roleIn(me, environment);
  return (role === 'owner' || role === 'admin') && me.access !== 'read';
}

export const isOwner = (me: Me) => me.user.platformRole === 'owner';
