import { useEffect, useState } from 'react';
import type { Environment, Integration } from '../../api/endpoints.ts';
import { navigate } from '../../router.tsx';
import { CreateIntegrationDialog } from './create-integration-dialog.tsx';
import { IntegrationDetails } from './integration-details.tsx';
import { IntegrationList } from './integration-list.tsx';
import { useIntegrationList } from './use-integration-list.ts';
import { useSecrets } from './secret-store.tsx';

/** The Integrations list with search and Create Integration, and the selected one's details beside it. */
export function IntegrationsSection({ environment, selectedId, editable }: { environment: Environment; selectedId: string | undefined; editable: boolean }) {
  const [search, setSearch] = useState('');
  const [debounced, setDebounced] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useIntegrationList(environment.id, debounced);
  const secrets = useSecrets();
  const base = `/environments/${encodeURIComponent(environment.id)}`;

  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const created = (integration: Integration & { clientSecret?: string }) => {
    if (integration.clientSecret) secrets.put(integration.id, integration.clientSecret);
    setCreating(false);
    list.upsert(integration);
    navigate(`${base}/integrations/${encodeURIComponent(integration.id)}`);
  };

  return (
    <div className={selectedId ? 'split has-details' : 'split'}>
      <div className="split-list">
        <div className="section-head">
          <h2>Integrations</h2>
          {editable && (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Create Integration
            </button>
          )}
        </div>
        <div className="field field-inline">
          <label htmlFor="integration-search">Search</label>
          <input
            id="integration-search"
            type="search"
            placeholder="Name, description or Client ID"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-describedby="integration-search-status"
          />
        </div>
        <IntegrationList list={list} selectedId={selectedId} base={base} search={debounced} editable={editable} />
      </div>
      {selectedId && (
        <div className="split-details">
          <IntegrationDetails
            key={selectedId}
            environment={environment}
            integrationId={selectedId}
            editable={editable}
            onChanged={(integration) => list.upsert(integration)}
            onDeleted={(id) => {
              list.remove(id);
              navigate(base);
            }}
            onClose={() => navigate(base)}
          />
        </div>
      )}
      <CreateIntegrationDialog environment={environment.id} open={creating} onClose={() => setCreating(false)} onCreated={created} />
    </div>
  );
}
