/**
 * Tables of people and access (users, sessions, memberships, personal access tokens, activity).
 * Kept apart from schema.ts so the management modules own their table types; `Database` extends this.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the people-and-access migration
export interface ManagementTables {}
