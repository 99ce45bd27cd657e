import type { FormEvent, ReactNode } from 'react';

/** The centred card of the two pages before the console (sign-in and setup): the brand over a form. */
export function AuthCard({ onSubmit, describedBy, children }: { onSubmit: (event: FormEvent) => void; describedBy?: string | undefined; children: ReactNode }) {
  return (
    <main id="main" className="centered">
      <form className="card auth-card" onSubmit={onSubmit} aria-describedby={describedBy}>
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">⌁</span> Latchkey
        </p>
        {children}
      </form>
    </main>
  );
}
