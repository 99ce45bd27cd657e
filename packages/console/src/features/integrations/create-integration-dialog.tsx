import { useState, type FormEvent } from 'react';
import { api, type IntegrationWithSecret } from '../../api/endpoints.ts';
import { FormDialog } from '../../ui/action-dialogs.tsx';
import { useAction } from '../../ui/use-action.ts';

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
  const action = useAction();

  const reset = () => {
    setName('');
    setDescription('');
    action.reset();
  };
  const close = () => {
    reset();
    onClose();
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      const created = await api.createIntegration(environment, { name: name.trim(), description: description.trim() });
      reset();
      onCreated(created);
    });
  };

  return (
    <FormDialog
      title="Create Integration"
      open={open}
      onClose={close}
      onSubmit={submit}
      action="Create Integration"
      working="Creating…"
      busy={action.busy}
      disabled={!name.trim()}
      error={action.error}
    >
      <p className="hint">Give it a name that says who uses it (“Render service”, “Studio editor”). You choose its permissions next.</p>
      <div className="field">
        <label htmlFor="integration-name">Name</label>
        <input id="integration-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="integration-description">Description</label>
        <textarea id="integration-description" maxLength={500} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
    </FormDialog>
  );
}
