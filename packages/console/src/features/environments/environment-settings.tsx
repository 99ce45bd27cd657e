import { useState, type FormEvent } from 'react';
import { api, type Environment } from '../../api/endpoints.ts';
import { navigate } from '../../router.tsx';
import { FormDialog } from '../../ui/action-dialogs.tsx';
import { formatDuration } from '../../ui/format.ts';
import { ErrorMessage, Notice } from '../../ui/states.tsx';
import { useAction } from '../../ui/use-action.ts';

const MAX_TTL = 30 * 86400;

/** Display name, token lifetime and reuse window (admins), and deleting the environment. */
export function EnvironmentSettings({ environment, editable, onSaved }: { environment: Environment; editable: boolean; onSaved: (environment: Environment) => void }) {
  const [displayName, setDisplayName] = useState(environment.displayName);
  const [ttl, setTtl] = useState(String(environment.tokenTtlSeconds));
  const [reuseWindow, setReuseWindow] = useState(String(environment.tokenReuseWindowSeconds));
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const ttlNumber = Number(ttl);
  const windowNumber = Number(reuseWindow);
  const problems: string[] = [];
  if (!Number.isInteger(ttlNumber) || ttlNumber < 60 || ttlNumber > MAX_TTL) problems.push('The token lifetime must be a whole number of seconds from 60 to 2592000 (30 days).');
  if (!Number.isInteger(windowNumber) || windowNumber < 0) problems.push('The reuse window must be a whole number of seconds, 0 or more.');
  else if (Number.isInteger(ttlNumber) && windowNumber > ttlNumber) problems.push('The reuse window cannot be longer than the token lifetime.');
  const dirty = displayName.trim() !== environment.displayName || ttlNumber !== environment.tokenTtlSeconds || windowNumber !== environment.tokenReuseWindowSeconds;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problems.length) return;
    setSaved(false);
    await run(async () => {
      const updated = await api.updateEnvironment(environment.id, {
        displayName: displayName.trim(),
        tokenTtlSeconds: ttlNumber,
        tokenReuseWindowSeconds: windowNumber,
      });
      onSaved(updated);
      setSaved(true);
    });
  };

  return (
    <div className="stack">
      <form className="panel form" onSubmit={submit} aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        {!editable && <p className="hint">Only an admin of this environment can change these.</p>}
        <div className="field">
          <label htmlFor="settings-display-name">Display name</label>
          <input id="settings-display-name" required maxLength={200} readOnly={!editable} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="settings-ttl">Token lifetime (seconds)</label>
          <input id="settings-ttl" type="number" inputMode="numeric" min={60} max={MAX_TTL} step={1} readOnly={!editable} aria-describedby="settings-ttl-hint" value={ttl} onChange={(e) => setTtl(e.target.value)} />
          <p id="settings-ttl-hint" className="hint">
            {formatDuration(ttlNumber) || '—'}. How long an access token is valid (at most 30 days). Default 86400 (1 day).
          </p>
        </div>
        <div className="field">
          <label htmlFor="settings-window">Reuse window (seconds)</label>
          <input id="settings-window" type="number" inputMode="numeric" min={0} max={MAX_TTL} step={1} readOnly={!editable} aria-describedby="settings-window-hint" value={reuseWindow} onChange={(e) => setReuseWindow(e.target.value)} />
          <p id="settings-window-hint" className="hint">
            {formatDuration(windowNumber) || '—'}. The same token is handed out again until only this much of its life is left; then a new
            one is minted. Equal to the lifetime: every request mints a new token. Default 3600 (1 hour).
          </p>
        </div>
        {editable && problems.length > 0 && (
          <ul className="message message-error" role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <ErrorMessage error={error} />
        {saved && !dirty && <Notice>Settings saved. They apply to tokens minted from now on.</Notice>}
        {editable && (
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={busy || !dirty || problems.length > 0}>
              {busy ? 'Saving…' : 'Save settings'}
            </button>
          </div>
        )}
      </form>
      {editable && (
        <section className="panel panel-danger" aria-labelledby="danger-title">
          <h2 id="danger-title">Delete this environment</h2>
          <p>Deleting an environment deletes its integrations, content, members and audit log. It cannot be undone.</p>
          <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
            Delete environment
          </button>
          <DeleteEnvironmentDialog environment={environment} open={deleting} onClose={() => setDeleting(false)} />
        </section>
      )}
    </div>
  );
}

function DeleteEnvironmentDialog({ environment, open, onClose }: { environment: Environment; open: boolean; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const { busy, error, setError, run } = useAction();
  const close = () => {
    setTyped('');
    setError(null);
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (typed !== environment.id) return;
    await run(async () => {
      await api.deleteEnvironment(environment.id);
      close();
      navigate('/');
    });
  };
  return (
    <FormDialog
      title={`Delete ${environment.displayName}?`}
      open={open}
      onClose={close}
      onSubmit={submit}
      action="Delete environment"
      working="Deleting…"
      danger
      busy={busy}
      disabled={typed !== environment.id}
      error={error}
    >
      <p>
        Everything in <strong>{environment.displayName}</strong> is deleted: integrations (their tokens stop working), templates, media,
        fonts, projects, members and the audit log.
      </p>
      <div className="field">
        <label htmlFor="delete-env-confirm">
          Type <code>{environment.id}</code> to confirm
        </label>
        <input id="delete-env-confirm" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
      </div>
    </FormDialog>
  );
}
