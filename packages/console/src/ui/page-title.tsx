import { useEffect, useRef, type ReactNode } from 'react';

let navigatedInApp = false;
window.addEventListener('latchkey:navigate', () => (navigatedInApp = true));
window.addEventListener('popstate', () => (navigatedInApp = true));

/**
 * A page's h1 that also names the browser tab, and takes focus after an in-app navigation so a
 * screen reader announces the new page and Tab starts from it (not on the first load: the
 * browser's own start is better there).
 */
export function PageTitle({ children, title, actions }: { children: ReactNode; title: string; actions?: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Latchkey`;
  }, [title]);
  useEffect(() => {
    if (navigatedInApp && !ref.current?.closest('dialog')) ref.current?.focus({ preventScroll: false });
  }, [title]);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

/** Focuses a heading when `key` changes after an in-app navigation (the details panel). */
export function useFocusOnChange<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (navigatedInApp && key !== null) ref.current?.focus();
  }, [key]);
  return ref;
}
