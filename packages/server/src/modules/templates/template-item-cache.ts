import type { Change, ChangeFeed } from '../../infra/change-feed.ts';
import type { TemplateSummary } from './templates.repository.ts';

const MAX_CACHED = 10_000;

/** The change every write of a template records (its cached summary is dropped everywhere). */
export const templateChanged = (environmentId: string, id: string): Change => ({ kind: 'template', environmentId, entityId: id });

/**
 * Template summaries (no documents) by environment and id, for `GET templates/{id}`, the
 * Environment API's hottest read. Every write of a template records a change in its transaction,
 * so an entry is dropped at once here and within the feed's freshness window on every other node;
 * while this process's view of the feed is stale, nothing is served from here (as for tokens).
 */
export class TemplateItemCache {
  private readonly items = new Map<string, TemplateSummary>();
  /** Bumped by every invalidation: a read that raced one is not cached. */
  private epoch = 0;

  constructor(private readonly feed: ChangeFeed) {
    feed.onChange((change) => this.invalidate(change));
  }

  get(environmentId: string, id: string): TemplateSummary | undefined {
    return this.feed.isFresh() ? this.items.get(`${environmentId}\n${id}`) : undefined;
  }

  /** Reads through: `load` runs when the entry is missing or the feed is stale. */
  async read(environmentId: string, id: string, load: () => Promise<TemplateSummary | undefined>): Promise<TemplateSummary | undefined> {
    const cached = this.get(environmentId, id);
    if (cached !== undefined) return cached;
    const epoch = this.epoch;
    const row = await load();
    if (row !== undefined && epoch === this.epoch && this.feed.isFresh()) {
      if (this.items.size >= MAX_CACHED) this.items.delete(this.items.keys().next().value as string);
      this.items.set(`${environmentId}\n${id}`, row);
    }
    return row;
  }

  private invalidate(change: Change): void {
    if (change.kind === 'template') {
      this.epoch++;
      this.items.delete(`${change.environmentId}\n${change.entityId}`);
    } else if (change.kind === 'environment') {
      this.epoch++;
      for (const key of this.items.keys()) if (key.startsWith(`${change.environmentId}\n`)) this.items.delete(key);
    }
  }
}
