import { Component, type ErrorInfo, type ReactNode } from 'react';

/**
 * Catches what a render throws (a chunk that failed to load after an upgrade, a bug) and shows
 * `fallback` instead of a blank page. React offers this only as a class.
 */
export class ErrorBoundary extends Component<{ fallback: (error: Error, reset: () => void) => ReactNode; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('latchkey console:', error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    return error ? this.props.fallback(error, () => this.setState({ error: null })) : this.props.children;
  }
}

/** The fallback for a whole page: what happened, and the two ways out. */
export function PageCrash({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">This part of the console stopped working.</p>
      <p>{/chunk|dynamically imported module|module script/i.test(error.message) ? 'Latchkey may have been upgraded meanwhile: reload the page.' : error.message}</p>
      <div className="actions">
        <button type="button" className="button" onClick={reset}>
          Try again
        </button>
        <button type="button" className="button button-primary" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    </div>
  );
}
