import type { ReactNode } from 'react';
import { explain, type Titles } from '../api/errors.ts';
import type { Resource } from '../api/use-resource.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** A failed request, explained, with a way to try again. */
export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what?: string }) {
  const { title, detail } = explain(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">
        {what ? `Could not load ${what}. ` : ''}
        {title}
      </p>
      {detail.map((line) => (
        <p key={line}>{line}</p>
      ))}
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A refused change: shown next to the form that sent it. */
export function ErrorMessage({ error, titles }: { error: unknown; titles?: Titles }) {
  if (!error) return null;
  const { title, detail } = explain(error, titles);
  return (
    <div className="message message-error" role="alert">
      <strong>{title}</strong>
      {detail.length > 0 && (
        <ul>
          {detail.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** A polite announcement of what just happened ("Saved.", "Copied."). */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="message message-ok" role="status">
      {children}
    </p>
  );
}

/** Renders a resource's loading and error states, and its data with `children`. */
export function Loaded<T>({ resource, what, onRetry, children }: { resource: Resource<T>; what: string; onRetry: () => void; children: (data: T) => ReactNode }) {
  if (resource.status === 'loading') return <Loading label={`Loading ${what}…`} />;
  if (resource.status === 'error') return <ErrorState error={resource.error} what={what} onRetry={onRetry} />;
  return <>{children(resource.data)}</>;
}
