import { useState, type FormEvent } from 'react';
import { api, type PatCreated } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { useMe } from '../features/session/session.tsx';
import { CopyButton } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { formatDate, hintText, relative } from '../ui/format.ts';
import { PageTitle } from '../ui/page-title.tsx';
import { Empty, ErrorMessage, Loaded, Notice } from '../ui/states.tsx';

const EXPIRY_DAYS = [30, 90, 180, 365];

/** Personal access tokens: the management API for scripts, as the signed-in person. */
export function TokensPage() {
  const me = useMe();
  const tokens = useResource((signal) => api.tokens(signal), []);
  const [created, setCreated] = useState<PatCreated | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const readOnly = me.access === 'read';

  return (
    <section className="stack">
      <PageTitle title="Personal access tokens">Personal access tokens</PageTitle>
      <p className="lede">
        For scripts that call the management API as you: send one as <code>Authorization: Bearer lk_pat_…</code>. A token can do what you
        can (read-write) or only read. It is not an Environment API token: integrations get those.
      </p>
      {created && (
        <div className="secret-once" role="region" aria-label="New personal access token">
          <p className="secret-once-warning">
            <strong>You will not see it again.</strong> Copy “{created.name}” now and keep it in a secret manager.
          </p>
          <div className="secret-value">
            <code data-testid="pat-value">{created.token}</code>
            <CopyButton text={created.token} what="personal access token" className="button button-primary button-small" />
          </div>
          <button type="button" className="button button-small" onClick={() => setCreated(null)}>
            I have stored it: hide the token
          </button>
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorMessage error={error} />
      <Loaded resource={tokens.state} what="your tokens" onRetry={tokens.reload}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              <p>You have no personal access tokens.</p>
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Your personal access tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Access</th>
                    <th scope="col">Ends in</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((token) => (
                    <tr key={token.id}>
                      <th scope="row">{token.name}</th>
                      <td>{token.access}</td>
                      <td>
                        <code>{hintText(token.hint)}</code>
                      </td>
                      <td>{formatDate(token.createdAt)}</td>
                      <td className={token.expiresSoon ? 'text-warning' : undefined}>
                        {formatDate(token.expiresAt)}
                        {token.expiresAt && ` (${relative(token.expiresAt)})`}
                        {token.expiresSoon && <span className="badge badge-warning">expires soon</span>}
                      </td>
                      <td>{formatDate(token.lastUsedAt, 'Never')}</td>
                      <td className="cell-actions">
                        {!readOnly && (
                          <button type="button" className="button button-small button-danger" onClick={() => setRevoking({ id: token.id, name: token.name })}>
                            Revoke <span className="sr-only">{token.name}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {!readOnly && (
        <CreateTokenForm
          onCreated={(token) => {
            setCreated(token);
            setNotice('');
            tokens.reload();
          }}
        />
      )}
      <Dialog title={`Revoke “${revoking?.name ?? ''}”?`} open={!!revoking} onClose={() => setRevoking(null)}>
        <p>Scripts that use it get 401 from now on.</p>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setRevoking(null)}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            onClick={async () => {
              const token = revoking!;
              setError(null);
              try {
                await api.deleteToken(token.id);
                setNotice(`“${token.name}” was revoked.`);
                if (created?.id === token.id) setCreated(null);
                tokens.reload();
              } catch (failure) {
                setError(failure);
              }
              setRevoking(null);
            }}
          >
            Revoke token
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: PatCreated) => void }) {
  const [name, setName] = useState('');
  const [access, setAccess] = useState<'read' | 'read-write'>('read');
  const [days, setDays] = useState(90);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const token = await api.createToken({ name: name.trim(), access, expiresAt: new Date(Date.now() + days * 86400_000).toISOString() });
      setName('');
      onCreated(token);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel form form-row" onSubmit={submit} aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      <div className="field">
        <label htmlFor="token-name">Name</label>
        <input id="token-name" required maxLength={100} placeholder="Nightly backup script" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="token-access">Access</label>
        <select id="token-access" value={access} onChange={(e) => setAccess(e.target.value as 'read' | 'read-write')}>
          <option value="read">Read only (GET requests)</option>
          <option value="read-write">Read and write (what you can do)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="token-expiry">Expires</label>
        <select id="token-expiry" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {EXPIRY_DAYS.map((d) => (
            <option key={d} value={d}>
              In {d} days
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
