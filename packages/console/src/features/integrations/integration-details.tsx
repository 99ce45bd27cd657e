import { useState } from 'react';
import { api, type Environment, type Integration } from '../../api/endpoints.ts';
import { useResource } from '../../api/use-resource.ts';
import { useFocusOnChange } from '../../ui/page-title.tsx';
import { Loaded } from '../../ui/states.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { ActivityTab } from './activity-tab.tsx';
import { GeneralTab } from './general-tab.tsx';
import { PermissionsTab } from './permissions-tab.tsx';

type Tab = 'general' | 'permissions' | 'activity';
const TABS = [
  { id: 'general', label: 'General' },
  { id: 'permissions', label: 'Permissions' },
  { id: 'activity', label: 'Activity' },
];

/** The details panel of the seeds: General and Permissions tabs (and Activity). */
export function IntegrationDetails({
  environment,
  integrationId,
  editable,
  onChanged,
  onDeleted,
  onClose,
}: {
  environment: Environment;
  integrationId: string;
  editable: boolean;
  onChanged: (integration: Integration) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}) {
  const loaded = useResource((signal) => api.integration(environment.id, integrationId, signal), [environment.id, integrationId]);
  const [tab, setTab] = useState<Tab>('general');
  const [showToken, setShowToken] = useState(false);
  // Focus moves to the heading once it exists (after the load), for each newly opened integration.
  const heading = useFocusOnChange<HTMLHeadingElement>(loaded.state.status === 'ready' ? integrationId : null);

  const changed = (integration: Integration) => {
    loaded.set(integration);
    onChanged(integration);
  };

  return (
    <section className="details card" aria-labelledby="integration-details-title">
      <Loaded resource={loaded.state} what="this integration" onRetry={loaded.reload}>
        {(integration) => (
          <>
            <div className="details-head">
              <h2 id="integration-details-title" ref={heading} tabIndex={-1}>
                {integration.name}
                {integration.disabled && <span className="badge badge-muted">Disabled</span>}
              </h2>
              <div className="details-actions">
                <button
                  type="button"
                  className="button"
                  aria-expanded={tab === 'general' && showToken}
                  aria-controls="get-a-token"
                  onClick={() => {
                    const open = !(tab === 'general' && showToken);
                    setTab('general');
                    setShowToken(open);
                    if (open) requestAnimationFrame(() => document.getElementById('get-a-token')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
                  }}
                >
                  Get a token
                </button>
                <button type="button" className="button button-quiet" onClick={onClose} aria-label="Close details">
                  ✕
                </button>
              </div>
            </div>
            {integration.description && <p className="lede">{integration.description}</p>}
            <Tabs label={`${integration.name} details`} tabs={TABS} selected={tab} onSelect={(id) => setTab(id as Tab)}>
              {tab === 'general' && (
                <GeneralTab
                  environment={environment}
                  integration={integration}
                  editable={editable}
                  showToken={showToken}
                  onShowToken={setShowToken}
                  onChanged={changed}
                  onDeleted={() => onDeleted(integration.id)}
                />
              )}
              {tab === 'permissions' && <PermissionsTab environment={environment.id} integration={integration} editable={editable} onChanged={changed} />}
              {tab === 'activity' && <ActivityTab environment={environment} integration={integration} />}
            </Tabs>
          </>
        )}
      </Loaded>
    </section>
  );
}
