import type { Migration } from './index.js';

/**
 * Per-creator quotas: an admin's limits per account (a document of the limits set: absent keys follow
 * the defaults, JSON null lifts one) and the room-hours ledger (one row per creator's room; ids are
 * never reused). Number 8: 6 and 7 belong to the accounts and the audit trail.
 */
export const migration0008: Migration = {
  version: 8,
  name: 'quotas',
  sql: `
CREATE TABLE quota_overrides (
  account text PRIMARY KEY,
  limits jsonb NOT NULL
);
CREATE TABLE room_usage (
  room text PRIMARY KEY,
  owner text NOT NULL,
  started_at bigint NOT NULL,
  ended_at bigint
);
CREATE INDEX room_usage_ended_at ON room_usage (ended_at);
`,
};
