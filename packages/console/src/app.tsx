import { useCallback, useState } from 'react';
import { SecretStoreProvider } from './features/integrations/secret-store.tsx';
import { SessionProvider, useSession } from './features/session/session.tsx';
import { EnvironmentPage } from './pages/environment-page.tsx';
import { EnvironmentsPage } from './pages/environments-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { PeoplePage } from './pages/people-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { Shell } from './pages/shell.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { TokensPage } from './pages/tokens-page.tsx';
import { match, Redirect, useLocation } from './router.tsx';
import { ErrorBoundary, PageCrash } from './ui/error-boundary.tsx';
import { ErrorState, Loading } from './ui/states.tsx';

export function App() {
  // Every sign-out remounts what holds secrets shown once, so none survives it.
  const [generation, setGeneration] = useState(0);
  const signedOut = useCallback(() => setGeneration((n) => n + 1), []);
  return (
    <SessionProvider onSignedOut={signedOut}>
      <SecretStoreProvider key={generation}>
        <Screens />
      </SecretStoreProvider>
    </SessionProvider>
  );
}

const SECTIONS = ['integrations', 'audit', 'members', 'settings'] as const;
export type Section = (typeof SECTIONS)[number];

function Screens() {
  const { state, retry } = useSession();
  const { path } = useLocation();

  if (path === '/setup') return <SetupPage />;
  if (state.status === 'loading') return <Loading label="Opening the console…" />;
  if (state.status === 'error')
    return (
      <main className="centered">
        <ErrorState error={state.error} what="your session" onRetry={retry} />
      </main>
    );
  if (state.status === 'signed-out') return <SignInPage reason={state.reason} />;
  if (path === '/sign-in') return <Redirect to="/" />;

  let page;
  let params: Record<string, string> | null;
  if (path === '/' || path === '/environments') page = <EnvironmentsPage />;
  else if (path === '/people') page = <PeoplePage />;
  else if (path === '/tokens') page = <TokensPage />;
  else if ((params = match('/environments/:env', path))) page = <EnvironmentPage environment={params.env!} section="integrations" />;
  else if ((params = match('/environments/:env/integrations/:id', path)))
    page = <EnvironmentPage environment={params.env!} section="integrations" integrationId={params.id!} />;
  else if ((params = match('/environments/:env/:section', path)) && (SECTIONS as readonly string[]).includes(params.section!))
    page = <EnvironmentPage environment={params.env!} section={params.section as Section} />;
  else page = <NotFoundPage />;
  // A page that crashes leaves the frame (and sign-out) working; the boundary resets with the address.
  return (
    <Shell>
      <ErrorBoundary key={path} fallback={(error, reset) => <PageCrash error={error} reset={reset} />}>
        {page}
      </ErrorBoundary>
    </Shell>
  );
}
