import type { Config } from '../../config.ts';
import type { Db, Dialect } from '../../db/database.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Keyring } from '../../infra/keyring.ts';
import { ActivityService } from '../activity/activity.service.ts';
import { AuditService } from '../audit/audit.service.ts';
import { TokenEvents } from '../audit/token-events.ts';
import type { EnvironmentsService } from '../environments/environments.service.ts';
import type { IntegrationsService } from '../integrations/integrations.service.ts';
import { PersonalAccessTokensService } from '../personal-access-tokens/personal-access-tokens.service.ts';
import { SessionsService } from '../sessions/sessions.service.ts';
import { SetupService } from '../users/setup.service.ts';
import { UsersService } from '../users/users.service.ts';
import { AccessPolicy } from './access-policy.ts';

export interface ManagementServicesDeps {
  db: Db;
  dialect: Dialect;
  clock: Clock;
  keyring: Keyring;
  unitOfWork: UnitOfWork;
  config: Readonly<Config>;
  environments: EnvironmentsService;
  integrations: IntegrationsService;
}

/** Batched writes (token events, PAT last use) go out this often. */
export const FLUSH_EVERY_MS = 2_000;
/** Retention sweeps (audit 90 days, activity 30 days, expired sessions and setup tokens). */
export const SWEEP_EVERY_MS = 3600_000;
const FIRST_SWEEP_AFTER_MS = 30_000;

/** People, sessions, personal access tokens, audit reads, activity and the token endpoint's events. */
export interface ManagementServices {
  config: Readonly<Config>;
  environments: EnvironmentsService;
  integrations: IntegrationsService;
  users: UsersService;
  /** First-owner setup: `ensureSetupUrl()` at every start until an owner exists. */
  setup: SetupService;
  sessions: SessionsService;
  pats: PersonalAccessTokensService;
  access: AccessPolicy;
  audit: AuditService;
  activity: ActivityService;
  /** The token endpoint reports mints, reuses and refusals here (memory only; flushed in batches). */
  tokenEvents: TokenEvents;
  /** Writes what is batched now (token events, PAT last use). */
  flush(): Promise<void>;
  /** Applies retention now. */
  sweep(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Repositories → services, explicitly (STYLE: one place builds services; this is its management part). */
export function createManagementServices(deps: ManagementServicesDeps): ManagementServices {
  const { db, clock, keyring, unitOfWork, config } = deps;
  const users = new UsersService(db, clock, unitOfWork);
  const pats = new PersonalAccessTokensService(db, clock, keyring, unitOfWork);
  const audit = new AuditService(db, clock, pats);
  const activity = new ActivityService(db, clock, deps.integrations);
  const sessions = new SessionsService(db, clock, keyring, unitOfWork, users);
  const tokenEvents = new TokenEvents(db, clock);
  let flushTimer: NodeJS.Timeout | null = null;
  let sweepTimer: NodeJS.Timeout | null = null;
  let firstSweep: NodeJS.Timeout | null = null;

  const flush = async () => {
    await Promise.all([tokenEvents.flush(), pats.flushLastUse()]);
  };
  const sweep = async () => {
    const now = clock.now();
    await audit.sweep(now);
    await activity.sweep(now);
    await sessions.sweep(now);
    await db.deleteFrom('setup_tokens').where('expires_at', '<=', now).execute();
  };

  return {
    config,
    environments: deps.environments,
    integrations: deps.integrations,
    users,
    setup: new SetupService(db, clock, keyring, unitOfWork, users, config.issuer),
    sessions,
    pats,
    access: new AccessPolicy(users.repository),
    audit,
    activity,
    tokenEvents,
    flush,
    sweep,
    start() {
      // A failed flush keeps its rows for the next one; a failed sweep waits for the next hour.
      flushTimer = setInterval(() => void flush().catch(() => {}), FLUSH_EVERY_MS);
      flushTimer.unref();
      firstSweep = setTimeout(() => void sweep().catch(() => {}), FIRST_SWEEP_AFTER_MS);
      firstSweep.unref();
      sweepTimer = setInterval(() => void sweep().catch(() => {}), SWEEP_EVERY_MS);
      sweepTimer.unref();
    },
    async stop() {
      for (const timer of [flushTimer, sweepTimer]) if (timer) clearInterval(timer);
      if (firstSweep) clearTimeout(firstSweep);
      flushTimer = sweepTimer = firstSweep = null;
      await flush().catch(() => {});
    },
  };
}
