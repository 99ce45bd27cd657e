import { useState, type FormEvent } from 'react';
import { api, type IntegrationWithSecret } from '../../api/endpoints.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ErrorMessage } from '../../ui/states.tsx';

/** The seeds' dialog: a meaningful name and a description, then "Create Integration". */
export function CreateIntegrationDialog({
  environment,
  open,
  onClose,
  onCreated,
}: {
  environment: string;
  open: boolean;
  onClose: () => void;
  onCreated: (integration: IntegrationWithSecret) => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const reset = () => {
    setName('');
    setDescription('');
    setError(null);
    setBusy(false);
  };
  const close = () => {
    reset();
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.createIntegration(environment, { name: name.trim(), description: description.trim() });
      reset();
      onCreated(created);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create Integration" open={open} onClose={close}>
      <form onSubmit={submit} className="form">
        <p className="hint">Give it a name that says who uses it (“Render service”, “Studio editor”). You choose its permissions next.</p>
        <div className="field">
          <label htmlFor="integration-name">Name</label>
          <input id="integration-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="integration-description">Description</label>
          <textarea id="integration-description" maxLength={500} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <ErrorMessage error={error} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
            {busy ? 'Creating…' : 'Create Integration'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
