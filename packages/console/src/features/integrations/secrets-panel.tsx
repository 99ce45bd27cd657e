import { useState, type FormEvent } from 'react';
import { api, type Integration } from '../../api/endpoints.ts';
import { FormDialog } from '../../ui/action-dialogs.tsx';
import { formatDate, formatDuration, hintText, relative } from '../../ui/format.ts';
import { ShownOnce } from '../../ui/shown-once.tsx';
import { ErrorMessage } from '../../ui/states.tsx';
import { Table } from '../../ui/table.tsx';
import { useAction } from '../../ui/use-action.ts';
import { useSecrets } from './secret-store.tsx';

const GRACE_CHOICES = [
  { seconds: 0, label: 'No grace: the old secret stops at once' },
  { seconds: 15 * 60, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86400, label: '1 day' },
  { seconds: 7 * 86400, label: '7 days (the longest)' },
];
const EXPIRY_CHOICES = [
  { days: 0, label: 'Never' },
  { days: 30, label: 'In 30 days' },
  { days: 90, label: 'In 90 days' },
  { days: 180, label: 'In 180 days' },
  { days: 365, label: 'In 1 year' },
];

/** The Client Secret: shown once after creation or regeneration, then only its hint and dates. */
export function SecretsPanel({ environment, integration, editable, onChanged }: { environment: string; integration: Integration; editable: boolean; onChanged: (integration: Integration) => void }) {
  const secrets = useSecrets();
  const fresh = secrets.get(integration.id);
  const [regenerating, setRegenerating] = useState(false);
  // Pending on the secret's id: its row's button says "Ending…".
  const { pending: ending, error, run } = useAction();
  const current = integration.secrets.at(-1);
  const previous = integration.secrets.slice(0, -1);
  const now = Date.now();

  const endGrace = async (secretId: string) => {
    await run(async () => {
      const updated = await api.deleteSecret(environment, integration.id, secretId);
      onChanged(updated ?? (await api.integration(environment, integration.id)));
    }, secretId);
  };

  return (
    <div className="secrets">
      <h4>Client Secret</h4>
      {fresh ? (
        <ShownOnce label="New Client Secret" value={fresh} what="Client Secret" testId="client-secret" hide="I have stored it: hide the secret" onHide={() => secrets.forget(integration.id)}>
          Copy the Client Secret now and keep it in a secret manager or your server’s environment. Latchkey stores only a hash of it.
        </ShownOnce>
      ) : (
        <p className="hint">The secret was shown once, when it was made. If it is lost, regenerate it and update the services that use it.</p>
      )}

      {current ? (
        <Table caption="Secrets that authenticate this integration" columns={['Secret', 'Created', 'Expires', 'Last used']} actions className="table-compact">
          <tr>
            <td>
              <code>{hintText(current.hint)}</code> <span className="badge">current</span>
            </td>
            <td>{formatDate(current.createdAt)}</td>
            <td>
              <ExpiryCell expiresAt={current.expiresAt} expiresSoon={current.expiresSoon} now={now} />
            </td>
            <td>{formatDate(current.lastUsedAt, 'Not yet')}</td>
            <td />
          </tr>
          {previous.map((secret) => (
            <tr key={secret.id}>
              <td>
                <code>{hintText(secret.hint)}</code> <span className="badge badge-warning">previous, in grace</span>
              </td>
              <td>{formatDate(secret.createdAt)}</td>
              <td>
                <ExpiryCell expiresAt={secret.expiresAt} expiresSoon={false} now={now} />
              </td>
              <td>{formatDate(secret.lastUsedAt, 'Not yet')}</td>
              <td className="cell-actions">
                {editable && (
                  <button type="button" className="button button-small" disabled={ending === secret.id} onClick={() => void endGrace(secret.id)}>
                    {ending === secret.id ? 'Ending…' : 'End grace now'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p className="message message-warning" role="note">
          This integration has no secret: regenerate one to use it.
        </p>
      )}
      {current?.expiresSoon && (
        <p className="message message-warning" role="note">
          {current.expiresAt && new Date(current.expiresAt).getTime() <= now ? (
            <>
              <strong>The secret has expired.</strong> Token requests with it are refused: regenerate it.
            </>
          ) : (
            <>
              <strong>The secret expires {relative(current.expiresAt, now)}.</strong> Regenerate it (with a grace period) and roll it out
              before then.
            </>
          )}
        </p>
      )}
      <ErrorMessage error={error} />
      {editable && (
        <div className="actions">
          <button type="button" className="button" onClick={() => setRegenerating(true)}>
            Regenerate
          </button>
        </div>
      )}
      <RegenerateDialog
        open={regenerating}
        environment={environment}
        integration={integration}
        onClose={() => setRegenerating(false)}
        onDone={(updated, secret) => {
          secrets.put(integration.id, secret);
          setRegenerating(false);
          onChanged(updated);
        }}
      />
    </div>
  );
}

function ExpiryCell({ expiresAt, expiresSoon, now }: { expiresAt: string | null; expiresSoon: boolean; now: number }) {
  if (!expiresAt) return <>Never</>;
  const expired = new Date(expiresAt).getTime() <= now;
  return (
    <span className={expired || expiresSoon ? 'text-warning' : undefined}>
      {formatDate(expiresAt)} ({expired ? 'expired' : relative(expiresAt, now)})
    </span>
  );
}

function RegenerateDialog({
  open,
  environment,
  integration,
  onClose,
  onDone,
}: {
  open: boolean;
  environment: string;
  integration: Integration;
  onClose: () => void;
  onDone: (integration: Integration, secret: string) => void;
}) {
  const [grace, setGrace] = useState(0);
  const [expiryDays, setExpiryDays] = useState(0);
  const { busy, error, run, reset } = useAction();

  const close = () => {
    reset();
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const body = { graceSeconds: grace, ...(expiryDays ? { expiresAt: new Date(Date.now() + expiryDays * 86400_000).toISOString() } : {}) };
      const { clientSecret, ...updated } = await api.regenerateSecret(environment, integration.id, body);
      onDone(updated, clientSecret);
    });
  };

  return (
    <FormDialog
      title={`Regenerate the secret of ${integration.name}`}
      open={open}
      onClose={close}
      onSubmit={submit}
      action="Regenerate secret"
      working="Regenerating…"
      busy={busy}
      error={error}
    >
      <p>
        A new Client Secret is made and shown once. Services that use the old one must be updated: a grace period keeps the old one
        working meanwhile.
      </p>
      <div className="field">
        <label htmlFor="regenerate-grace">Grace period for the old secret</label>
        <select id="regenerate-grace" value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
          {GRACE_CHOICES.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>
              {choice.label}
            </option>
          ))}
        </select>
        {grace > 0 && <p className="hint">The old secret keeps working for {formatDuration(grace)}; you can end that early.</p>}
      </div>
      <div className="field">
        <label htmlFor="regenerate-expiry">New secret expires</label>
        <select id="regenerate-expiry" value={expiryDays} onChange={(e) => setExpiryDays(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.days} value={choice.days}>
              {choice.label}
            </option>
          ))}
        </select>
        <p className="hint">After its expiry a secret authenticates nothing; the console warns 14 days ahead.</p>
      </div>
    </FormDialog>
  );
}
