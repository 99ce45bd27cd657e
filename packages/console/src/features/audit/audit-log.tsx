import { useEffect, useState, type FormEvent } from 'react';
import { api, type AuditEntry } from '../../api/endpoints.ts';
import { navigate, useLocation } from '../../router.tsx';
import { formatDate, localInputToIso } from '../../ui/format.ts';
import { Empty, ErrorMessage, ErrorState, Loading } from '../../ui/states.tsx';
import { Table } from '../../ui/table.tsx';

const FILTERS = ['actor', 'action', 'target', 'from', 'to'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

const ACTION_HINTS = [
  'integration.*',
  'integration.create',
  'integration.update',
  'integration.secret.regenerate',
  'integration.secret.delete',
  'integration.tokens.revoke',
  'integration.delete',
  'token.*',
  'token.mint',
  'token.refuse',
  'token.revoke',
  'environment.*',
  'member.*',
];

const toLocalInput = (iso: string) => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
};

/** The environment's audit log, newest first, filtered by actor, action, target and time. */
export function AuditLog({ environment }: { environment: string }) {
  const { query, path } = useLocation();
  const applied: Filters = { actor: query.get('actor') ?? '', action: query.get('action') ?? '', target: query.get('target') ?? '', from: query.get('from') ?? '', to: query.get('to') ?? '' };
  const key = FILTERS.map((f) => applied[f]).join('\u0000');
  const [draft, setDraft] = useState<Filters>(() => ({ ...applied, from: applied.from && toLocalInput(applied.from), to: applied.to && toLocalInput(applied.to) }));
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setStatus('loading');
    api.audit(environment, { ...applied, limit: 50 }, controller.signal).then(
      (page) => {
        setEntries(page.data);
        setCursor(page.nextCursor);
        setStatus('ready');
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setStatus('error');
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the applied filters
  }, [environment, key, generation]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = name === 'from' || name === 'to' ? localInputToIso(draft[name]) : draft[name].trim();
      if (value) params.set(name, value);
    }
    const search = params.toString();
    // The same filters again: load again (someone may have acted meanwhile).
    if (search === query.toString()) setGeneration((n) => n + 1);
    else navigate(`${path}${search ? `?${search}` : ''}`, { replace: true });
  };
  const clear = () => {
    setDraft({ actor: '', action: '', target: '', from: '', to: '' });
    navigate(path, { replace: true });
  };
  const loadMore = () => {
    if (!cursor) return;
    setMore({ busy: true, error: null });
    api.audit(environment, { ...applied, limit: 50, cursor }).then(
      (page) => {
        setEntries((all) => [...all, ...page.data]);
        setCursor(page.nextCursor);
        setMore({ busy: false, error: null });
      },
      (failure: unknown) => setMore({ busy: false, error: failure }),
    );
  };
  const filtered = FILTERS.some((f) => applied[f]);
  const set = (name: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value }));

  return (
    <section aria-labelledby="audit-title" className="stack">
      <h2 id="audit-title">Audit log</h2>
      <form className="filters" onSubmit={apply} aria-label="Audit log filters">
        <div className="field">
          <label htmlFor="audit-actor">Actor</label>
          <input id="audit-actor" value={draft.actor} onChange={set('actor')} placeholder="user, pat, cli, an id…" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" list="audit-actions" value={draft.action} onChange={set('action')} placeholder="integration.*" />
          <datalist id="audit-actions">
            {ACTION_HINTS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-target">Target</label>
          <input id="audit-target" value={draft.target} onChange={set('target')} placeholder="an integration id…" />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <div className="actions filters-actions">
          <button type="submit" className="button button-primary">
            Apply filters
          </button>
          {filtered && (
            <button type="button" className="button" onClick={clear}>
              Clear filters
            </button>
          )}
        </div>
      </form>

      {status === 'loading' && <Loading label="Loading the audit log…" />}
      {status === 'error' && <ErrorState error={error} what="the audit log" onRetry={() => setGeneration((n) => n + 1)} />}
      {status === 'ready' &&
        (entries.length === 0 ? (
          <Empty>
            <p>{filtered ? 'No event matches these filters.' : 'Nothing has happened in this environment yet.'}</p>
          </Empty>
        ) : (
          <Table caption="Audit events, newest first" columns={['When', 'Actor', 'Action', 'Target', 'Details']} className="table-compact audit-table">
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <time dateTime={entry.at}>{formatDate(entry.at)}</time>
                </td>
                <td>
                  {entry.actor.label ?? entry.actor.id}
                  <span className="muted"> ({entry.actor.type})</span>
                </td>
                <td>
                  <code>{entry.action}</code>
                </td>
                <td>
                  <span className="muted">{entry.target.type}</span> <code>{entry.target.id}</code>
                </td>
                <td className="audit-details">
                  {entry.reason && (
                    <span className="badge badge-warning" title="Why it was refused">
                      {entry.reason}
                    </span>
                  )}
                  {entry.changes && <ChangeList changes={entry.changes} />}
                  {(entry.address || entry.userAgent) && (
                    <span className="muted small" title={entry.userAgent ?? undefined}>
                      {entry.address ?? ''}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        ))}
      {cursor && status === 'ready' && (
        <div className="load-more">
          <button type="button" className="button" onClick={loadMore} disabled={more.busy}>
            {more.busy ? 'Loading…' : 'Load older events'}
          </button>
        </div>
      )}
      <ErrorMessage error={more.error} />
      <p className="hint">Kept for 90 days. Secrets, tokens and passwords are never logged.</p>
    </section>
  );
}

function ChangeList({ changes }: { changes: Record<string, unknown> }) {
  const entries = Object.entries(changes);
  if (entries.length === 0) return null;
  return (
    <ul className="changes">
      {entries.map(([name, value]) => (
        <li key={name}>
          <span className="muted">{name}:</span> {describe(value)}
        </li>
      ))}
    </ul>
  );
}

/** A changed field's value, readably: lists as words, nothing as “none”. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ');
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
