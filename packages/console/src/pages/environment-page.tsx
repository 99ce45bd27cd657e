import type { Section } from '../app.tsx';
import { api } from '../api/endpoints.ts';
import { useResource } from '../api/use-resource.ts';
import { AuditLog } from '../features/audit/audit-log.tsx';
import { EnvironmentSettings } from '../features/environments/environment-settings.tsx';
import { IntegrationsSection } from '../features/integrations/integrations-section.tsx';
import { Members } from '../features/people/members.tsx';
import { canChange, roleIn, useMe } from '../features/session/session.tsx';
import { Link } from '../router.tsx';
import { PageTitle } from '../ui/page-title.tsx';
import { Loaded } from '../ui/states.tsx';

const SECTION_LABELS: Record<Section, string> = { integrations: 'Integrations', audit: 'Audit log', members: 'Members', settings: 'Settings' };

/** One environment: its integrations (the seeds' flow), audit log, members and settings. */
export function EnvironmentPage({ environment, section, integrationId }: { environment: string; section: Section; integrationId?: string }) {
  const me = useMe();
  const loaded = useResource((signal) => api.environment(environment, signal), [environment]);
  const base = `/environments/${encodeURIComponent(environment)}`;
  const role = roleIn(me, environment);
  const editable = canChange(me, environment);

  return (
    <Loaded resource={loaded.state} what={`the environment “${environment}”`} onRetry={loaded.reload}>
      {(env) => (
        <section>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <ol>
              <li>
                <Link to="/">Environments</Link>
              </li>
              <li aria-current="page">{env.displayName}</li>
            </ol>
          </nav>
          <PageTitle title={`${SECTION_LABELS[section]} · ${env.displayName}`}>
            {env.displayName} <code className="title-id">{env.id}</code>
          </PageTitle>
          <p className="lede">
            Your role here: <strong>{role ?? 'viewer'}</strong>
            {!editable && ' — you can look, not change.'}
          </p>
          <nav aria-label="Environment sections" className="subnav">
            {(Object.keys(SECTION_LABELS) as Section[]).map((id) => (
              <Link key={id} to={id === 'integrations' ? base : `${base}/${id}`} aria-current={id === section ? 'page' : undefined}>
                {SECTION_LABELS[id]}
              </Link>
            ))}
          </nav>
          {section === 'integrations' && <IntegrationsSection environment={env} selectedId={integrationId} editable={editable} />}
          {section === 'audit' && <AuditLog environment={env.id} />}
          {section === 'members' && <Members environment={env.id} />}
          {section === 'settings' && <EnvironmentSettings environment={env} editable={editable} onSaved={loaded.set} />}
        </section>
      )}
    </Loaded>
  );
}
