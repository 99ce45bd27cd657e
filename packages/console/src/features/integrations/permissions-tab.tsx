import { useMemo, useState, type FormEvent } from 'react';
import { api, type Integration, type ScopeCatalog } from '../../api/endpoints.ts';
import { ErrorMessage, Loaded, Notice } from '../../ui/states.tsx';
import { Table } from '../../ui/table.tsx';
import { useAction } from '../../ui/use-action.ts';
import { isPrivileged } from './scopes.ts';
import { useScopeCatalog } from './use-scope-catalog.ts';

const COLUMNS = ['list', 'read', 'write'] as const;
const OUTPUT = 'output';

/** Scopes grouped by resource in list / read / write columns, the two presets, and the warnings. */
export function PermissionsTab({ environment, integration, editable, onChanged }: { environment: string; integration: Integration; editable: boolean; onChanged: (integration: Integration) => void }) {
  const catalog = useScopeCatalog();
  return (
    <Loaded resource={catalog.state} what="the permission catalog" onRetry={catalog.reload}>
      {(data) => <PermissionsForm catalog={data} environment={environment} integration={integration} editable={editable} onChanged={onChanged} />}
    </Loaded>
  );
}

function PermissionsForm({
  catalog,
  environment,
  integration,
  editable,
  onChanged,
}: {
  catalog: ScopeCatalog;
  environment: string;
  integration: Integration;
  editable: boolean;
  onChanged: (integration: Integration) => void;
}) {
  const [selected, setSelected] = useState<Set<string>>(() => new Set(integration.scopes));
  const [browserWrites, setBrowserWrites] = useState(integration.allowBrowserWrites);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);

  const order = useMemo(() => catalog.groups.flatMap((group) => group.scopes.map((s) => s.scope)), [catalog]);
  const chosen = order.filter((scope) => selected.has(scope));
  const removed = integration.scopes.filter((scope) => !selected.has(scope));
  const privileged = chosen.filter(isPrivileged);
  const scopesChanged = chosen.length !== integration.scopes.length || removed.length > 0;
  const dirty = scopesChanged || browserWrites !== integration.allowBrowserWrites;

  const toggle = (scope: string, on: boolean) => {
    setSaved(false);
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
  };
  const applyPreset = (scopes: string[]) => {
    setSaved(false);
    setSelected(new Set(scopes));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(async () => {
      const body = {
        ...(scopesChanged ? { scopes: chosen } : {}),
        ...(browserWrites !== integration.allowBrowserWrites ? { allowBrowserWrites: browserWrites } : {}),
      };
      const updated = await api.updateIntegration(environment, integration.id, body);
      onChanged(updated);
      setSelected(new Set(updated.scopes));
      setBrowserWrites(updated.allowBrowserWrites);
      setSaved(true);
    });
  };

  const grouped = catalog.groups.filter((group) => group.resource !== OUTPUT);
  const output = catalog.groups.find((group) => group.resource === OUTPUT);
  const box = (scope: string, label: string) => (
    <label className="check check-cell" title={scope}>
      <input type="checkbox" checked={selected.has(scope)} disabled={!editable} onChange={(e) => toggle(scope, e.target.checked)} />
      <span className="sr-only">{label}</span>
    </label>
  );

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="permissions-title">
      <div className="section-head">
        <h3 id="permissions-title">API scopes</h3>
        {editable && (
          <div className="actions">
            {catalog.presets.map((preset) => (
              <button key={preset.name} type="button" className="button button-small" onClick={() => applyPreset(preset.scopes)}>
                {preset.label}
              </button>
            ))}
            <button type="button" className="button button-small button-quiet" onClick={() => applyPreset([])}>
              Clear
            </button>
          </div>
        )}
      </div>
      <p className="hint">
        <strong>Read-only</strong> is for browsers and the Studio editor engine; <strong>All permissions</strong> is for back ends only.
      </p>
      <Table caption={`Permissions of ${integration.name}, by resource`} columns={['Resource', ...COLUMNS.map((column) => column[0]!.toUpperCase() + column.slice(1))]} className="scope-grid">
        {grouped.map((group) => (
          <tr key={group.resource}>
            <th scope="row">{group.label}</th>
            {COLUMNS.map((column) => {
              const scope = group.scopes.find((s) => s.action === column);
              return <td key={column}>{scope ? box(scope.scope, `${group.label}: ${column}`) : <span aria-label="not applicable">—</span>}</td>;
            })}
          </tr>
        ))}
        {output && (
          <tr>
            <th scope="row">{output.label}</th>
            <td colSpan={COLUMNS.length}>
              <div className="output-scopes">
                {[...output.scopes]
                  .sort((a, b) => (a.action === 'static' ? -1 : b.action === 'static' ? 1 : 0))
                  .map((scope) => (
                    <span key={scope.scope} className="output-scope">
                      {box(scope.scope, `${output.label}: ${scope.action}`)}
                      <span aria-hidden="true">{scope.action === 'static' ? 'Static' : scope.action === 'animated' ? 'Animated' : scope.action}</span>
                    </span>
                  ))}
              </div>
            </td>
          </tr>
        )}
      </Table>

      <div aria-live="polite">
        {privileged.length > 0 && (
          <div className="message message-danger" role="note">
            <strong>Never use this integration in a browser.</strong> It holds write or output permissions ({privileged.join(', ')}):
            whoever gets its secret or one of its tokens can change and delete content or render output at your cost. Keep both on a
            server. For a browser or the Studio editor engine, create a second integration with Read-only.
          </div>
        )}
        {chosen.length === 0 && (
          <p className="message message-warning" role="note">
            With no permissions, every token request of this integration is refused (<code>invalid_scope</code>).
          </p>
        )}
        {removed.length > 0 && editable && (
          <p className="message message-info" role="note">
            Removing {removed.join(', ')} ends every token issued until now, so the removed permission dies with them. Callers get a new
            token at their next request.
          </p>
        )}
      </div>

      <fieldset className="panel">
        <legend>Browser writes</legend>
        <label className="check check-row">
          <input type="checkbox" checked={browserWrites} disabled={!editable} onChange={(e) => (setSaved(false), setBrowserWrites(e.target.checked))} />
          Allow browser writes
        </label>
        <p className="hint">
          Off (recommended): a token with a write or output scope is refused on any request that comes from a browser. Turn it on only for
          GraFx Studio UI, which autosaves from the browser.
        </p>
        {browserWrites && (
          <div className="message message-danger" role="note">
            <strong>Browser writes are allowed.</strong> Anyone who can read a web page that holds this integration’s token can change your
            content{privileged.some((s) => s.startsWith('output:')) ? ' and spend your renders' : ''}. Give the browser a token with as few
            scopes as it needs, and never the Client Secret.
          </div>
        )}
      </fieldset>

      <ErrorMessage error={error} />
      {saved && !dirty && <Notice>Permissions saved. New tokens carry exactly these scopes.</Notice>}
      {editable ? (
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save permissions'}
          </button>
          {dirty && <span className="hint">Unsaved changes</span>}
        </div>
      ) : (
        <p className="hint">Only an admin of this environment can change permissions.</p>
      )}
    </form>
  );
}
