// Placeholder written by the lead so the wiring type-checks; the management API work replaces this file.
import type { Config } from '../../config.ts';
import type { Db, Dialect } from '../../db/database.ts';
import type { UnitOfWork } from '../../db/unit-of-work.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Keyring } from '../../infra/keyring.ts';
import type { EnvironmentsService } from '../environments/environments.service.ts';
import type { IntegrationsService } from '../integrations/integrations.service.ts';

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

export type ManagementServices = { start(): void; stop(): Promise<void> };

export function createManagementServices(_deps: ManagementServicesDeps): ManagementServices {
  return { start() {}, async stop() {} };
}
