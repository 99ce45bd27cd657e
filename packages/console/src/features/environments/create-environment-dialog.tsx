import { useState, type FormEvent } from 'react';
import { api, type Environment } from '../../api/endpoints.ts';
import { FormDialog } from '../../ui/action-dialogs.tsx';
import { useAction } from '../../ui/use-action.ts';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;

/** "demo shop" → "demo-shop": a suggestion for the id, which the person may change. */
export const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);

export function CreateEnvironmentDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (environment: Environment) => void }) {
  const [displayName, setDisplayName] = useState('');
  const [id, setId] = useState('');
  const [idTouched, setIdTouched] = useState(false);
  const { busy, error, run, reset } = useAction();
  const effectiveId = idTouched ? id : slugify(displayName);
  const idProblem = effectiveId && !SLUG.test(effectiveId) ? 'Use 3 to 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit.' : '';

  const close = () => {
    setDisplayName('');
    setId('');
    setIdTouched(false);
    reset();
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (idProblem || !effectiveId) return;
    await run(async () => {
      const created = await api.createEnvironment({ id: effectiveId, displayName: displayName.trim() || effectiveId });
      close();
      onCreated(created);
    });
  };

  return (
    <FormDialog title="Create environment" open={open} onClose={close} onSubmit={submit} action="Create environment" working="Creating…" busy={busy} disabled={!!idProblem} error={error}>
      <div className="field">
        <label htmlFor="env-display-name">Display name</label>
        <input id="env-display-name" required maxLength={200} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="env-id">Environment ID</label>
        <input
          id="env-id"
          required
          maxLength={63}
          aria-describedby="env-id-hint"
          aria-invalid={idProblem ? true : undefined}
          value={effectiveId}
          onChange={(e) => {
            setIdTouched(true);
            setId(e.target.value);
          }}
        />
        <p id="env-id-hint" className={idProblem ? 'hint hint-error' : 'hint'}>
          {idProblem || 'Used in URLs and in every token (…/environment/{id}/…). It cannot change later.'}
        </p>
      </div>
    </FormDialog>
  );
}
