import { useState, type FormEvent } from 'react';
import { api, type PatCreated } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { useMe } from '../features/session/session.tsx';
import { ConfirmDialog } from '../ui/action-dialogs.tsx';
import { formatDate, hintText, relative } from '../ui/format.ts';
import { PageTitle } from '../ui/page-title.tsx';
import { ShownOnce } from '../ui/shown-once.tsx';
import { Empty, ErrorMessage, Loaded, Notice } from '../ui/states.tsx';
import { Table } from '../ui/table.tsx';
import { useAction } from '../ui/use-action.ts';

const EXPIRY_DAYS = [30, 90, 180, 365];

/** Personal access tokens: the management API for scripts, as the signed-in person. */
export function TokensPage() {
  const me = useMe();
  const tokens = useResource((signal) => api.tokens(signal), []);
  const [created, setCreated] = useState<PatCreated | null>(null);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const revoke = useAction();
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
        <ShownOnce label="New personal access token" value={created.token} what="personal access token" testId="pat-value" hide="I have stored it: hide the token" onHide={() => setCreated(null)}>
          Copy “{created.name}” now and keep it in a secret manager.
        </ShownOnce>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorMessage error={revoke.error} />
      <Loaded resource={tokens.state} what="your tokens" onRetry={tokens.reload}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              <p>You have no personal access tokens.</p>
            </Empty>
          ) : (
            <Table caption="Your personal access tokens" columns={['Name', 'Access', 'Ends in', 'Created', 'Expires', 'Last used']} actions>
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
            </Table>
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
      <ConfirmDialog
        title={`Revoke “${revoking?.name ?? ''}”?`}
        open={!!revoking}
        action="Revoke token"
        danger
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          const token = revoking!;
          await revoke.run(async () => {
            await api.deleteToken(token.id);
            setNotice(`“${token.name}” was revoked.`);
            if (created?.id === token.id) setCreated(null);
            tokens.reload();
          });
          setRevoking(null);
        }}
      >
        Scripts that use it get 401 from now on.
      </ConfirmDialog>
    </section>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: PatCreated) => void }) {
  const [name, setName] = useState('');
  const [access, setAccess] = useState<'read' | 'read-write'>('read');
  const [days, setDays] = useState(90);
  const { busy, error, run } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const token = await api.createToken({ name: name.trim(), access, expiresAt: new Date(Date.now() + days * 86400_000).toISOString() });
      setName('');
      onCreated(token);
    });
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
