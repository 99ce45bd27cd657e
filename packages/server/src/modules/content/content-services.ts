// Placeholder written by the lead so the plumbing type-checks; the content helper replaces this file.
import type { Db } from '../../db/database.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';

export type ContentServices = Record<string, never>;
export function createContentServices(_deps: { db: Db; clock: Clock; unitOfWork: UnitOfWork; issuer: string }): ContentServices {
  return {};
}
