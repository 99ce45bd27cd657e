import type { ReactNode } from 'react';
import { isOwner, useMe, useSession } from '../features/session/session.tsx';
import { Link, useLocation } from '../router.tsx';

/** The signed-in frame: skip link, header with the main places, who is signed in, sign out. */
export function Shell({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut } = useSession();
  const { path } = useLocation();
  const current = (prefix: string) => (prefix === '/' ? path === '/' || path.startsWith('/environments') : path.startsWith(prefix)) ? 'page' : undefined;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span aria-hidden="true" className="brand-mark">
            ⌁
          </span>
          Latchkey
        </Link>
        <nav aria-label="Main" className="topnav">
          <Link to="/" aria-current={current('/')}>
            Environments
          </Link>
          {isOwner(me) && (
            <Link to="/people" aria-current={current('/people')}>
              People
            </Link>
          )}
          <Link to="/tokens" aria-current={current('/tokens')}>
            Access tokens
          </Link>
        </nav>
        <div className="whoami">
          <span className="whoami-email" title={me.user.email}>
            {me.user.email}
          </span>
          <span className="badge">{me.user.platformRole}</span>
          <button type="button" className="button button-quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
