import type { FormEvent, ReactNode } from 'react';
import { Dialog } from './dialog.tsx';
import { ErrorMessage } from './states.tsx';

interface ActionProps {
  /** The action button's words, e.g. "Delete person". */
  action: string;
  /** Its words while the request runs ("Creating…"); without them it keeps `action`. */
  working?: string;
  busy?: boolean;
  /** Disabled for another reason than `busy` (an invalid field). */
  disabled?: boolean;
  /** Red for what cannot be undone; the primary colour otherwise. */
  danger?: boolean;
  /** Why the last attempt failed, shown above the buttons. */
  error?: unknown;
}

/** "Are you sure?" for one button's action: what it does, why it failed if it did, Cancel or go. */
export function ConfirmDialog({ title, open, onCancel, onConfirm, children, ...props }: ActionProps & { title: string; open: boolean; onCancel: () => void; onConfirm: () => void; children: ReactNode }) {
  return (
    <Dialog title={title} open={open} onClose={onCancel}>
      <p>{children}</p>
      <Footer {...props} type="button" onCancel={onCancel} onAction={onConfirm} />
    </Dialog>
  );
}

/** A dialog that is a form: its fields, why the server refused it, then Cancel and submit. */
export function FormDialog({ title, open, onClose, onSubmit, children, ...props }: ActionProps & { title: string; open: boolean; onClose: () => void; onSubmit: (event: FormEvent) => void; children: ReactNode }) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form className="form" onSubmit={onSubmit}>
        {children}
        <Footer {...props} type="submit" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

function Footer({ action, working, busy = false, disabled = false, danger = false, error, type, onCancel, onAction }: ActionProps & { type: 'button' | 'submit'; onCancel: () => void; onAction?: () => void }) {
  return (
    <>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type={type} className={danger ? 'button button-danger' : 'button button-primary'} disabled={busy || disabled} onClick={onAction}>
          {busy && working ? working : action}
        </button>
      </div>
    </>
  );
}
