import type { Activity } from '@latchkey/contract';
import type { Db } from '../../db/database.ts';
import { invalid } from '../../errors.ts';
import { iso, type Clock } from '../../infra/clock.ts';
import type { IntegrationsService } from '../integrations/integrations.service.ts';
import { ActivityRepository } from './activity.repository.ts';

export const HOUR_MS = 3600_000;
export const ACTIVITY_RETENTION_MS = 30 * 24 * HOUR_MS;
const DEFAULT_RANGE_MS = 24 * HOUR_MS;
const MAX_RANGE_MS = 31 * 24 * HOUR_MS;

export const hourOf = (ms: number): number => ms - (ms % HOUR_MS);

function time(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw invalid('Invalid time', [`${name} must be an ISO 8601 date-time`]);
  return ms;
}

/**
 * Hourly activity per integration (SPEC §3): tokens minted, tokens reused, requests refused.
 * Counted in memory by TokenEvents and written in batches; read here, every hour of the range
 * present (zeros included) so a chart needs no gap filling.
 */
export class ActivityService {
  readonly repository: ActivityRepository;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly integrations: IntegrationsService,
  ) {
    this.repository = new ActivityRepository(db);
  }

  async forIntegration(environmentId: string, idOrClientId: string, query: { from?: string; to?: string } = {}): Promise<Activity> {
    const integration = await this.integrations.get(environmentId, idOrClientId);
    const now = this.clock.now();
    const until = time(query.to, 'to');
    // The current hour is included; an explicit end is rounded up to a whole hour.
    const to = until === undefined ? hourOf(now) + HOUR_MS : hourOf(until + HOUR_MS - 1);
    const from = hourOf(time(query.from, 'from') ?? to - DEFAULT_RANGE_MS);
    if (from >= to) throw invalid('Invalid range', ['from must be before to']);
    if (to - from > MAX_RANGE_MS) throw invalid('Invalid range', ['a range covers at most 31 days']);
    const rows = await this.repository.list(environmentId, integration.id, from, to);
    const byHour = new Map(rows.map((row) => [Number(row.hour), row]));
    const hours: Activity['hours'] = [];
    const totals = { minted: 0, reused: 0, refused: 0 };
    for (let hour = from; hour < to; hour += HOUR_MS) {
      const row = byHour.get(hour);
      const counts = { minted: Number(row?.minted ?? 0), reused: Number(row?.reused ?? 0), refused: Number(row?.refused ?? 0) };
      totals.minted += counts.minted;
      totals.reused += counts.reused;
      totals.refused += counts.refused;
      hours.push({ hour: iso(hour)!, ...counts });
    }
    return { integrationId: integration.id, from: iso(from)!, to: iso(to)!, hours, totals };
  }

  sweep(now = this.clock.now()): Promise<void> {
    return this.repository.deleteOlderThan(hourOf(now) - ACTIVITY_RETENTION_MS);
  }
}
