import { useState, type FormEvent } from 'react';
import { AuthCard } from '../features/session/auth-card.tsx';
import { useSession } from '../features/session/session.tsx';
import { api } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { Link } from '../router.tsx';
import { PageTitle } from '../ui/page-title.tsx';
import { ErrorMessage, Notice } from '../ui/states.tsx';
import { useAction } from '../ui/use-action.ts';

export function SignInPage({ reason }: { reason?: string | undefined }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  // Before the first owner exists there is nobody to sign in: say where the setup link is.
  const setup = useResource((signal) => api.setupStatus(signal).catch(() => ({ required: false })), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // On success the session changes and this page is replaced.
    await run(() => signIn(email.trim(), password));
  };

  return (
    <AuthCard onSubmit={submit} describedBy={reason ? 'sign-in-reason' : undefined}>
      <PageTitle title="Sign in">Sign in to the console</PageTitle>
      {reason && (
        <div id="sign-in-reason">
          <Notice>{reason}</Notice>
        </div>
      )}
      {setup.state.status === 'ready' && setup.state.data.required && (
        <div className="message message-warning" role="note">
          <strong>No owner exists yet.</strong> Open the setup link that <code>latchkey serve</code> printed when it started (it
          ends in <code>/console/setup?token=…</code>), or run <code>latchkey users create --email you@example.com --owner</code>.
        </div>
      )}
      <div className="field">
        <label htmlFor="sign-in-email">Email</label>
        <input id="sign-in-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="sign-in-password">Password</label>
        <input id="sign-in-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <ErrorMessage error={error} titles={{ 401: 'The email or password is wrong.' }} />
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="hint">
        Forgot your password? An owner can set a new one under People. <Link to="/setup">First start?</Link>
      </p>
    </AuthCard>
  );
}
