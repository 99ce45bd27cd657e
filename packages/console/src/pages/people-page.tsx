import { useState, type FormEvent } from 'react';
import { api, type PlatformRole, type User } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { isOwner, useMe } from '../features/session/session.tsx';
import { ConfirmDialog, FormDialog } from '../ui/action-dialogs.tsx';
import { formatDate } from '../ui/format.ts';
import { PageTitle } from '../ui/page-title.tsx';
import { Empty, ErrorMessage, Loaded, Notice } from '../ui/states.tsx';
import { Table } from '../ui/table.tsx';
import { useAction } from '../ui/use-action.ts';

const MIN_PASSWORD = 12;

/** People who sign in to the console (owners only): create, change role, set a password, delete. */
export function PeoplePage() {
  const me = useMe();
  const users = useResource((signal) => api.users(signal), []);
  const [notice, setNotice] = useState('');
  const [passwordFor, setPasswordFor] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const { busy, error, setError, run } = useAction();

  const act = (work: () => Promise<unknown>, done: string) => {
    setNotice('');
    return run(async () => {
      await work();
      setNotice(done);
      users.reload();
    });
  };

  return (
    <section className="stack">
      <PageTitle title="People">People</PageTitle>
      <p className="lede">
        <strong>Owners</strong> manage people and every environment. <strong>Members</strong> get a role per environment under its Members
        tab.
      </p>
      {!isOwner(me) && <p className="message message-warning">Only owners manage people.</p>}
      {notice && <Notice>{notice}</Notice>}
      <ErrorMessage error={error} />
      <Loaded resource={users.state} what="people" onRetry={users.reload}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              <p>Nobody yet.</p>
            </Empty>
          ) : (
            <Table caption="People who can sign in" columns={['Email', 'Role', 'Environments', 'Last sign-in']} actions>
              {data.map((user) => {
                const self = user.id === me.user.id;
                return (
                  <tr key={user.id}>
                    <th scope="row">
                      {user.email}
                      {self && <span className="muted"> (you)</span>}
                    </th>
                    <td>
                      <select
                        aria-label={`Platform role of ${user.email}`}
                        value={user.platformRole}
                        disabled={busy || self}
                        onChange={(e) => void act(() => api.updateUser(user.id, { platformRole: e.target.value as PlatformRole }), `${user.email} is now ${e.target.value === 'owner' ? 'an owner' : 'a member'}.`)}
                      >
                        <option value="owner">owner</option>
                        <option value="member">member</option>
                      </select>
                    </td>
                    <td>
                      {user.platformRole === 'owner' ? (
                        <span className="muted">all (owner)</span>
                      ) : user.memberships.length === 0 ? (
                        <span className="muted">none yet</span>
                      ) : (
                        user.memberships.map((m) => `${m.environment} (${m.role})`).join(', ')
                      )}
                    </td>
                    <td>{formatDate(user.lastSignInAt, 'Never')}</td>
                    <td className="cell-actions">
                      <button type="button" className="button button-small" onClick={() => setPasswordFor(user)}>
                        Set password <span className="sr-only">of {user.email}</span>
                      </button>
                      {!self && (
                        <button type="button" className="button button-small button-danger" onClick={() => setDeleting(user)}>
                          Delete <span className="sr-only">{user.email}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </Table>
          )
        }
      </Loaded>
      <CreateUserForm onCreate={(body) => act(() => api.createUser(body), `${body.email} can now sign in.`)} />
      <SetPasswordDialog
        error={error}
        user={passwordFor}
        onClose={() => {
          setPasswordFor(null);
          setError(null);
        }}
        onSave={async (password) => {
          const user = passwordFor!;
          if (await act(() => api.updateUser(user.id, { password }), `The password of ${user.email} was changed.`)) setPasswordFor(null);
        }}
      />
      <ConfirmDialog
        title={`Delete ${deleting?.email ?? ''}?`}
        open={!!deleting}
        action="Delete person"
        danger
        busy={busy}
        error={error}
        onCancel={() => {
          setDeleting(null);
          setError(null);
        }}
        onConfirm={async () => {
          const user = deleting!;
          if (await act(() => api.deleteUser(user.id), `${user.email} was deleted.`)) setDeleting(null);
        }}
      >
        They can no longer sign in, and their personal access tokens stop working. What they did stays in the audit log.
      </ConfirmDialog>
    </section>
  );
}

function CreateUserForm({ onCreate }: { onCreate: (body: { email: string; password: string; platformRole: PlatformRole }) => Promise<boolean> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<PlatformRole>('member');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onCreate({ email: email.trim(), password, platformRole: role })) {
      setEmail('');
      setPassword('');
      setRole('member');
    }
  };
  return (
    <form className="panel form form-row" onSubmit={submit} aria-labelledby="create-user-title">
      <h2 id="create-user-title">Add a person</h2>
      <div className="field">
        <label htmlFor="new-user-email">Email</label>
        <input id="new-user-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-user-password">Password</label>
        <input id="new-user-password" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password" aria-describedby="new-user-password-hint" value={password} onChange={(e) => setPassword(e.target.value)} />
        <p id="new-user-password-hint" className="hint">
          At least {MIN_PASSWORD} characters; give it to them through a safe channel.
        </p>
      </div>
      <div className="field">
        <label htmlFor="new-user-role">Platform role</label>
        <select id="new-user-role" value={role} onChange={(e) => setRole(e.target.value as PlatformRole)}>
          <option value="member">member</option>
          <option value="owner">owner</option>
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary">
          Add person
        </button>
      </div>
    </form>
  );
}

function SetPasswordDialog({ user, error, onClose, onSave }: { user: User | null; error: unknown; onClose: () => void; onSave: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('');
  const close = () => {
    setPassword('');
    onClose();
  };
  return (
    <FormDialog
      title={`Set the password of ${user?.email ?? ''}`}
      open={!!user}
      onClose={close}
      action="Set password"
      error={error}
      onSubmit={async (event) => {
        event.preventDefault();
        await onSave(password);
        setPassword('');
      }}
    >
      <div className="field">
        <label htmlFor="set-password">New password</label>
        <input id="set-password" type="password" required minLength={MIN_PASSWORD} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
    </FormDialog>
  );
}
