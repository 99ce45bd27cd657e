import { lazy, Suspense, useState } from 'react';
import { api, type Environment, type Integration } from '../../api/endpoints.ts';
import { useResource } from '../../api/use-resource.ts';
import { Link } from '../../router.tsx';
import { formatDate } from '../../ui/format.ts';
import { ErrorBoundary, PageCrash } from '../../ui/error-boundary.tsx';
import { Empty, Loaded, Loading } from '../../ui/states.tsx';
import { Table } from '../../ui/table.tsx';
import { assessActivity } from './activity-assessment.ts';

// uPlot loads with the first chart: the rest of the console does not wait for it.
const ActivityChart = lazy(() => import('./activity-chart.tsx').then((module) => ({ default: module.ActivityChart })));

const RANGES = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

/** Tokens minted, reused and refused per hour, with what looks wrong about them. */
export function ActivityTab({ environment, integration }: { environment: Environment; integration: Integration }) {
  const [hours, setHours] = useState(24);
  const activity = useResource(
    (signal) => api.activity(environment.id, integration.id, { from: new Date(Date.now() - hours * 3600_000).toISOString() }, signal),
    [environment.id, integration.id, hours],
  );
  return (
    <div className="stack">
      <div className="section-head">
        <h3>Token activity</h3>
        <div className="field field-inline">
          <label htmlFor="activity-range">Period</label>
          <select id="activity-range" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {RANGES.map((range) => (
              <option key={range.hours} value={range.hours}>
                {range.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Loaded resource={activity.state} what="the activity" onRetry={activity.reload}>
        {(data) => {
          const flags = assessActivity(data, environment);
          const { minted, reused, refused } = data.totals;
          return (
            <>
              <p>
                <strong>{minted}</strong> minted · <strong>{reused}</strong> reused · <strong>{refused}</strong> refused
              </p>
              {minted + reused + refused === 0 ? (
                <Empty>
                  <p>No token requests in this period. Use “Get a token” to make the first one.</p>
                </Empty>
              ) : (
                <>
                  <ErrorBoundary fallback={(error, reset) => <PageCrash error={error} reset={reset} />}>
                    <Suspense fallback={<Loading label="Drawing the chart…" />}>
                      <ActivityChart activity={data} label={`Token requests per hour: ${minted} minted, ${reused} reused, ${refused} refused`} />
                    </Suspense>
                  </ErrorBoundary>
                  {flags.map((flag) => (
                    <div key={flag.title} className={flag.level === 'warning' ? 'message message-warning' : 'message message-info'} role="note">
                      <strong>{flag.title}</strong> {flag.detail}
                      {flag.title.includes('refused') && (
                        <>
                          {' '}
                          <Link to={`/environments/${encodeURIComponent(environment.id)}/audit?target=${encodeURIComponent(integration.id)}`}>Open the audit log</Link>
                        </>
                      )}
                    </div>
                  ))}
                  <details className="table-details">
                    <summary>Show as a table</summary>
                    <Table columns={['Hour', 'Minted', 'Reused', 'Refused']} className="table-compact">
                      {data.hours
                        .filter((h) => h.minted + h.reused + h.refused > 0)
                        .map((h) => (
                          <tr key={h.hour}>
                            <th scope="row">{formatDate(h.hour)}</th>
                            <td>{h.minted}</td>
                            <td>{h.reused}</td>
                            <td>{h.refused}</td>
                          </tr>
                        ))}
                    </Table>
                  </details>
                </>
              )}
              <p className="hint">Counts are written in batches: the last minute may not show yet. Kept for 30 days.</p>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
