import { useState, type FormEvent } from 'react';
import { api } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { AuthCard } from '../features/session/auth-card.tsx';
import { useSession } from '../features/session/session.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { PageTitle } from '../ui/page-title.tsx';
import { ErrorMessage, Loading } from '../ui/states.tsx';
import { useAction } from '../ui/use-action.ts';

const MIN_PASSWORD = 12;

/** The first owner, from the one-time link the server prints at start (SPEC §3). */
export function SetupPage() {
  const { query } = useLocation();
  const token = query.get('token') ?? '';
  const { adopt, state } = useSession();
  const status = useResource((signal) => api.setupStatus(signal), []);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, run } = useAction();
  const [problem, setProblem] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem('');
    setError(null);
    if (password.length < MIN_PASSWORD) return setProblem(`Choose a password of at least ${MIN_PASSWORD} characters.`);
    if (password !== repeat) return setProblem('The two passwords differ.');
    await run(async () => {
      const session = await api.setup({ token, email: email.trim(), password });
      await adopt(session, email.trim(), password);
      navigate('/', { replace: true });
    });
  };

  const done = status.state.status === 'ready' && !status.state.data.required;
  return (
    <AuthCard onSubmit={submit}>
      <PageTitle title="Set up Latchkey">Create the first owner</PageTitle>
      {status.state.status === 'loading' && <Loading label="Checking the setup link…" />}
      {done ? (
        <div className="message message-warning" role="note">
          <strong>Latchkey is set up already.</strong> An owner exists, so this link no longer works.{' '}
          {state.status === 'signed-in' ? <Link to="/">Go to the console</Link> : <Link to="/">Sign in</Link>}
        </div>
      ) : !token ? (
        <div className="message message-error" role="alert">
          <strong>This address has no setup token.</strong> Open the whole link that <code>latchkey serve</code> printed when it
          started: it ends in <code>/console/setup?token=…</code>.
        </div>
      ) : (
        <>
          <p>
            The owner manages people and every environment. You will sign in with this email and password; keep the password in
            a password manager.
          </p>
          <div className="field">
            <label htmlFor="setup-email">Email</label>
            <input id="setup-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="setup-password">Password</label>
            <input
              id="setup-password"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_PASSWORD}
              aria-describedby="setup-password-hint"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <p id="setup-password-hint" className="hint">
              At least {MIN_PASSWORD} characters.
            </p>
          </div>
          <div className="field">
            <label htmlFor="setup-repeat">Repeat the password</label>
            <input id="setup-repeat" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </div>
          {problem && (
            <p className="message message-error" role="alert">
              {problem}
            </p>
          )}
          <ErrorMessage error={error} titles={{ 401: 'This setup link does not work.', 409: 'Latchkey is set up already.' }} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create owner'}
          </button>
        </>
      )}
    </AuthCard>
  );
}
