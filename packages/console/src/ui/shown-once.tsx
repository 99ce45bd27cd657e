import type { ReactNode } from 'react';
import { CopyButton } from './copy-button.tsx';

/**
 * A new secret or token, shown this once (only its hash is kept): the warning, the value with
 * a Copy button, and a button to hide it. `children` says what to do with it.
 */
export function ShownOnce({ label, value, what, testId, hide, onHide, children }: { label: string; value: string; what: string; testId: string; hide: string; onHide: () => void; children: ReactNode }) {
  return (
    <div className="secret-once" role="region" aria-label={label}>
      <p className="secret-once-warning">
        <strong>You will not see it again.</strong> {children}
      </p>
      <div className="secret-value">
        <code data-testid={testId}>{value}</code>
        <CopyButton text={value} what={what} className="button button-primary button-small" />
      </div>
      <button type="button" className="button button-small" onClick={onHide}>
        {hide}
      </button>
    </div>
  );
}
