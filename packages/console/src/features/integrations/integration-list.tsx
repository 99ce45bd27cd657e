import { isPrivileged } from './scopes.ts';
import type { IntegrationListState } from './use-integration-list.ts';
import { Link } from '../../router.tsx';
import { Empty, ErrorMessage, ErrorState, Loading } from '../../ui/states.tsx';

export function IntegrationList({
  list,
  selectedId,
  base,
  search,
  editable,
}: {
  list: IntegrationListState;
  selectedId: string | undefined;
  base: string;
  search: string;
  editable: boolean;
}) {
  if (list.status === 'loading') return <Loading label="Loading integrations…" />;
  if (list.status === 'error') return <ErrorState error={list.error} what="the integrations" onRetry={list.reload} />;
  const count = list.items.length;
  return (
    <>
      <p id="integration-search-status" className="sr-only" role="status">
        {search ? `${count}${list.nextCursor ? ' or more' : ''} integrations match “${search}”` : ''}
      </p>
      {count === 0 ? (
        search ? (
          <Empty>
            <p>No integration matches “{search}”.</p>
          </Empty>
        ) : (
          <Empty>
            <p>
              <strong>No integrations yet.</strong> An integration is a service user with its own Client ID and secret: create one for
              each back end or editor that needs a token.
            </p>
            {editable && <p>Use “Create Integration” above to add the first one.</p>}
          </Empty>
        )
      ) : (
        <ul className="integration-list" aria-label="Integrations">
          {list.items.map((integration) => (
            <li key={integration.id} className={integration.id === selectedId ? 'integration-item selected' : 'integration-item'}>
              <Link
                to={`${base}/integrations/${encodeURIComponent(integration.id)}`}
                aria-current={integration.id === selectedId ? 'true' : undefined}
                className="integration-link"
              >
                {integration.name}
              </Link>
              {integration.description && <p className="integration-description">{integration.description}</p>}
              <p className="integration-meta">
                <code title="Client ID">{integration.clientId}</code>
                {integration.disabled && <span className="badge badge-muted">Disabled</span>}
                {integration.scopes.length === 0 ? (
                  <span className="badge badge-warning">No permissions</span>
                ) : integration.scopes.some(isPrivileged) ? (
                  <span className="badge badge-danger">Back end only</span>
                ) : (
                  <span className="badge">Read-only</span>
                )}
                {integration.secrets.some((s) => s.expiresSoon) && <span className="badge badge-warning">Secret expires soon</span>}
              </p>
            </li>
          ))}
        </ul>
      )}
      {list.nextCursor && (
        <div className="load-more">
          <button type="button" className="button" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading…' : 'Load more integrations'}
          </button>
        </div>
      )}
      <ErrorMessage error={list.moreError} />
    </>
  );
}
