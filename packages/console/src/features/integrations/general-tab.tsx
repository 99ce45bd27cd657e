import { useState, type FormEvent } from 'react';
import { api, type Environment, type Integration } from '../../api/endpoints.ts';
import { CopyButton } from '../../ui/copy-button.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorMessage, Notice } from '../../ui/states.tsx';
import { useAction } from '../../ui/use-action.ts';
import { AccessActions } from './access-actions.tsx';
import { GetTokenPanel } from './get-token-panel.tsx';
import { SecretsPanel } from './secrets-panel.tsx';
import { useSecrets } from './secret-store.tsx';

/** Identity, credentials, the secret shown once, Get a token, and the actions on the integration. */
export function GeneralTab({
  environment,
  integration,
  editable,
  showToken,
  onShowToken,
  onChanged,
  onDeleted,
}: {
  environment: Environment;
  integration: Integration;
  editable: boolean;
  showToken: boolean;
  onShowToken: (open: boolean) => void;
  onChanged: (integration: Integration) => void;
  onDeleted: () => void;
}) {
  const secret = useSecrets().get(integration.id);
  return (
    <div className="stack">
      <section aria-labelledby="credentials-title" className="panel">
        <h3 id="credentials-title">Credentials</h3>
        <dl className="facts">
          <div>
            <dt>Integration ID</dt>
            <dd>
              <code className="value">{integration.id}</code>
              <CopyButton text={integration.id} what="Integration ID" />
            </dd>
          </div>
          <div>
            <dt>Client ID</dt>
            <dd>
              <code className="value" data-testid="client-id">
                {integration.clientId}
              </code>
              <CopyButton text={integration.clientId} what="Client ID" />
            </dd>
          </div>
        </dl>
        <SecretsPanel environment={environment.id} integration={integration} editable={editable} onChanged={onChanged} />
      </section>

      {showToken && (
        <GetTokenPanel integration={integration} secret={secret} onClose={() => onShowToken(false)} />
      )}

      <DetailsForm environment={environment.id} integration={integration} editable={editable} onChanged={onChanged} />

      <AccessActions environment={environment.id} integration={integration} editable={editable} onChanged={onChanged} onDeleted={onDeleted} />

      <p className="hint">
        Created {formatDate(integration.createdAt)}
        {integration.createdBy ? ` by ${integration.createdBy}` : ''} · changed {formatDate(integration.updatedAt)}
      </p>
    </div>
  );
}

/** Name and description: what the seeds' "Edit an existing Integration" changes. */
function DetailsForm({ environment, integration, editable, onChanged }: { environment: string; integration: Integration; editable: boolean; onChanged: (integration: Integration) => void }) {
  const [name, setName] = useState(integration.name);
  const [description, setDescription] = useState(integration.description);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);
  const dirty = name.trim() !== integration.name || description.trim() !== integration.description;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    await run(async () => {
      onChanged(await api.updateIntegration(environment, integration.id, { name: name.trim(), description: description.trim() }));
      setSaved(true);
    });
  };

  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="details-form-title">
      <h3 id="details-form-title">Name and description</h3>
      <div className="field">
        <label htmlFor="details-name">Name</label>
        <input id="details-name" required maxLength={100} readOnly={!editable} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="details-description">Description</label>
        <textarea id="details-description" maxLength={500} rows={2} readOnly={!editable} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <ErrorMessage error={error} />
      {saved && !dirty && <Notice>Saved.</Notice>}
      {editable && (
        <div className="actions">
          <button type="submit" className="button" disabled={busy || !dirty || !name.trim()}>
            {busy ? 'Saving…' : 'Save name and description'}
          </button>
        </div>
      )}
    </form>
  );
}
