import type { Migration } from '../migrate.ts';

/** Users, sessions, memberships, personal access tokens, activity (filled by the management API work). */
export const peopleAndAccess: Migration = {
  name: '0005-people-and-access',
  async up() {},
};
