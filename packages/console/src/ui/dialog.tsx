import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal on the native <dialog>: the browser traps focus, makes the page behind it inert and
 * closes it on Escape. Focus goes back to what opened it.
 */
export function Dialog({ title, open, onClose, children, describedBy }: { title: string; open: boolean; onClose: () => void; children: ReactNode; describedBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useRef(`dialog-${Math.random().toString(36).slice(2)}`).current;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const closed = () => {
      onClose();
      // Back to what opened it, unless the page has moved focus somewhere on purpose meanwhile
      // (a new page's heading after "Create").
      const previous = opener.current;
      const focus = document.activeElement;
      const adrift = !focus || focus === document.body || dialog.contains(focus);
      if (adrift && previous instanceof HTMLElement && previous.isConnected) previous.focus();
    };
    dialog.addEventListener('close', closed);
    return () => dialog.removeEventListener('close', closed);
  }, [onClose]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} aria-describedby={describedBy}>
      {open && (
        <>
          <h2 id={titleId} className="dialog-title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}
