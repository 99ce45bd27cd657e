import { useState } from 'react';
import { api } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { CreateEnvironmentDialog } from '../features/environments/create-environment-dialog.tsx';
import { isOwner, roleIn, useMe } from '../features/session/session.tsx';
import { Link, navigate } from '../router.tsx';
import { formatDuration } from '../ui/format.ts';
import { PageTitle } from '../ui/page-title.tsx';
import { Empty, Loaded } from '../ui/states.tsx';
import { Table } from '../ui/table.tsx';

/** Environments, each with the seeds' pencil action that opens it. */
export function EnvironmentsPage() {
  const me = useMe();
  const environments = useResource((signal) => api.environments(signal), []);
  const [creating, setCreating] = useState(false);
  const owner = isOwner(me);

  return (
    <section>
      <PageTitle
        title="Environments"
        actions={
          owner && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create environment
            </button>
          )
        }
      >
        Environments
      </PageTitle>
      <p className="lede">An environment is a tenant: its integrations, content and audit log are its own.</p>
      <Loaded resource={environments.state} what="environments" onRetry={environments.reload}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              {owner ? (
                <>
                  <p>
                    <strong>No environments yet.</strong> Use “Create environment” above for the first one, then add an integration to it.
                  </p>
                </>
              ) : (
                <p>
                  <strong>You are not a member of any environment yet.</strong> Ask an owner to add you to one.
                </p>
              )}
            </Empty>
          ) : (
            <Table caption="Environments you can open" columns={['Name', 'ID', 'Your role', 'Token lifetime']} actions>
              {data.map((environment) => (
                <tr key={environment.id}>
                  <th scope="row">
                    <Link to={`/environments/${encodeURIComponent(environment.id)}`}>{environment.displayName}</Link>
                  </th>
                  <td>
                    <code>{environment.id}</code>
                  </td>
                  <td>{roleIn(me, environment.id) ?? 'viewer'}</td>
                  <td>{formatDuration(environment.tokenTtlSeconds)}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="icon-button"
                      aria-label={`Edit ${environment.displayName}`}
                      title={`Edit ${environment.displayName}`}
                      onClick={() => navigate(`/environments/${encodeURIComponent(environment.id)}`)}
                    >
                      <PencilIcon />
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
          )
        }
      </Loaded>
      <CreateEnvironmentDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(environment) => {
          setCreating(false);
          navigate(`/environments/${encodeURIComponent(environment.id)}`);
        }}
      />
    </section>
  );
}

export function PencilIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M3 17.25V21h3.75L17.81 9.94l-3.75-3.75L3 17.25zm17.71-10.21a1 1 0 0 0 0-1.41l-2.34-2.34a1 1 0 0 0-1.41 0l-1.83 1.83 3.75 3.75 1.83-1.83z" />
    </svg>
  );
}
