import { useState } from 'react';
import { api, type Integration } from '../../api/endpoints.ts';
import { ConfirmDialog } from '../../ui/action-dialogs.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorMessage, Notice } from '../../ui/states.tsx';
import { useAction } from '../../ui/use-action.ts';

type Pending = 'disable' | 'revoke' | 'delete' | null;

/** Disable / Enable, Revoke all tokens, Delete: each says what it does before it does it. */
export function AccessActions({
  environment,
  integration,
  editable,
  onChanged,
  onDeleted,
}: {
  environment: string;
  integration: Integration;
  editable: boolean;
  onChanged: (integration: Integration) => void;
  onDeleted: () => void;
}) {
  const [confirming, setConfirming] = useState<Pending>(null);
  const { busy, error, run } = useAction();
  const [done, setDone] = useState('');

  const act = async (what: 'disable' | 'enable' | 'revoke' | 'delete') => {
    setDone('');
    await run(async () => {
      if (what === 'delete') {
        await api.deleteIntegration(environment, integration.id);
        setConfirming(null);
        onDeleted();
        return;
      }
      if (what === 'revoke') {
        const answer = await api.revokeTokens(environment, integration.id);
        onChanged(answer && 'clientId' in answer ? answer : await api.integration(environment, integration.id));
        setDone('Every token issued until now is refused from now on. New token requests get a new token.');
      } else {
        onChanged(await api.updateIntegration(environment, integration.id, { disabled: what === 'disable' }));
        setDone(what === 'disable' ? 'Disabled: token requests are refused and its tokens no longer work.' : 'Enabled: it can get tokens again.');
      }
      setConfirming(null);
    });
  };

  return (
    <section className="panel" aria-labelledby="access-title">
      <h3 id="access-title">Access</h3>
      <p>
        Status: <strong>{integration.disabled ? 'Disabled' : 'Enabled'}</strong>
        {integration.tokensNotBefore && <> · tokens issued before {formatDate(integration.tokensNotBefore)} are refused</>}
      </p>
      {done && <Notice>{done}</Notice>}
      <ErrorMessage error={confirming ? null : error} />
      {editable ? (
        <div className="actions">
          {integration.disabled ? (
            <button type="button" className="button" disabled={busy} onClick={() => void act('enable')}>
              Enable
            </button>
          ) : (
            <button type="button" className="button" onClick={() => setConfirming('disable')}>
              Disable
            </button>
          )}
          <button type="button" className="button" onClick={() => setConfirming('revoke')}>
            Revoke all tokens
          </button>
          <button type="button" className="button button-danger" onClick={() => setConfirming('delete')}>
            Delete
          </button>
        </div>
      ) : (
        <p className="hint">Only an admin of this environment can disable, revoke or delete.</p>
      )}

      <ConfirmDialog
        open={confirming === 'disable'}
        title={`Disable ${integration.name}?`}
        action="Disable integration"
        working="Working…"
        busy={busy}
        error={error}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void act('disable')}
      >
        Its token requests are refused and every token it holds stops working at once, on every server. You can enable it again later;
        its old tokens stay dead.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'revoke'}
        title={`Revoke all tokens of ${integration.name}?`}
        action="Revoke tokens"
        working="Working…"
        busy={busy}
        error={error}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void act('revoke')}
      >
        Every token issued to it until now is refused by the Environment API within seconds. Its secret keeps working: callers get a new
        token at their next request. Use this when a token may have leaked.
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming === 'delete'}
        title={`Delete ${integration.name}?`}
        action="Delete integration"
        danger
        working="Working…"
        busy={busy}
        error={error}
        onCancel={() => setConfirming(null)}
        onConfirm={() => void act('delete')}
      >
        Its Client ID and secrets stop working at once and cannot be restored. Its projects are deleted with it. The audit log keeps
        what it did.
      </ConfirmDialog>
    </section>
  );
}
