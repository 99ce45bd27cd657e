import { useState, type FormEvent } from 'react';
import { api, type EnvironmentRole, type Member, type User } from '../../api/endpoints.ts';
import { useResource } from '../../api/use-resource.ts';
import { isOwner, useMe } from '../session/session.tsx';
import { Link } from '../../router.tsx';
import { formatDate } from '../../ui/format.ts';
import { Empty, ErrorMessage, Loaded, Notice } from '../../ui/states.tsx';
import { Table } from '../../ui/table.tsx';
import { useAction } from '../../ui/use-action.ts';

/** Who may see (viewer) or change (admin) this environment; owners manage it. */
export function Members({ environment }: { environment: string }) {
  const me = useMe();
  const owner = isOwner(me);
  const members = useResource((signal) => api.members(environment, signal), [environment]);
  const users = useResource((signal) => (owner ? api.users(signal) : Promise.resolve({ data: [] as User[] })), [owner]);
  // Pending on the changed member's id: only that row's controls wait.
  const { pending, error, run } = useAction();
  const [notice, setNotice] = useState('');

  const change = async (userId: string, role: EnvironmentRole | null, email: string) => {
    setNotice('');
    await run(async () => {
      if (role) await api.setMember(environment, userId, role);
      else await api.removeMember(environment, userId);
      setNotice(role ? `${email} is now ${role === 'admin' ? 'an admin' : 'a viewer'} here.` : `${email} no longer has access here.`);
      members.reload();
    }, userId);
  };

  return (
    <section aria-labelledby="members-title" className="stack">
      <h2 id="members-title">Members</h2>
      <p className="hint">
        <strong>Admins</strong> manage integrations, content and settings; <strong>viewers</strong> read. Owners can do everything everywhere.
      </p>
      {notice && <Notice>{notice}</Notice>}
      <ErrorMessage error={error} />
      <Loaded resource={members.state} what="the members" onRetry={members.reload}>
        {({ data }: { data: Member[] }) =>
          data.length === 0 ? (
            <Empty>
              <p>No members yet{owner ? ': add people below.' : '.'} Owners have access without being members.</p>
            </Empty>
          ) : (
            <Table caption="Members of this environment" columns={['Email', 'Role', 'Since']} actions={owner}>
              {data.map((member) => (
                <tr key={member.userId}>
                  <th scope="row">{member.email}</th>
                  <td>
                    {owner ? (
                      <select
                        aria-label={`Role of ${member.email}`}
                        value={member.role}
                        disabled={pending === member.userId}
                        onChange={(e) => void change(member.userId, e.target.value as EnvironmentRole, member.email)}
                      >
                        <option value="admin">admin</option>
                        <option value="viewer">viewer</option>
                      </select>
                    ) : (
                      member.role
                    )}
                  </td>
                  <td>{formatDate(member.createdAt)}</td>
                  {owner && (
                    <td className="cell-actions">
                      <button type="button" className="button button-small" disabled={pending === member.userId} onClick={() => void change(member.userId, null, member.email)}>
                        Remove <span className="sr-only">{member.email}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      {owner && members.state.status === 'ready' && (
        <AddMember
          candidates={users.state.status === 'ready' ? users.state.data.data.filter((u) => u.platformRole !== 'owner' && !members.state.data!.data.some((m) => m.userId === u.id)) : []}
          loading={users.state.status === 'loading'}
          onAdd={(user, role) => change(user.id, role, user.email)}
        />
      )}
    </section>
  );
}

function AddMember({ candidates, loading, onAdd }: { candidates: User[]; loading: boolean; onAdd: (user: User, role: EnvironmentRole) => Promise<void> }) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<EnvironmentRole>('viewer');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const user = candidates.find((c) => c.id === userId);
    if (!user) return;
    await onAdd(user, role);
    setUserId('');
  };
  if (loading) return null;
  if (candidates.length === 0)
    return (
      <p className="hint">
        Everyone is a member already. <Link to="/people">Add a person</Link> first to give them access here.
      </p>
    );
  return (
    <form className="panel form form-row" onSubmit={submit} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      <div className="field">
        <label htmlFor="member-user">Person</label>
        <select id="member-user" required value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">Choose…</option>
          {candidates.map((user) => (
            <option key={user.id} value={user.id}>
              {user.email}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="member-role">Role</label>
        <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as EnvironmentRole)}>
          <option value="viewer">viewer</option>
          <option value="admin">admin</option>
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={!userId}>
          Add member
        </button>
      </div>
    </form>
  );
}
