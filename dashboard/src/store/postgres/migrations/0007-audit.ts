import type { Migration } from './index.js';

/**
 * The audit trail: one row per entry. The bigserial id is the order entries were written in, across
 * replicas (the API's `after`); `key` (unique, null for most) lets replicas recording the same event
 * (a relayed control change, an expiry) write it once. Indexed for the API's filters and for pruning.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'audit',
  sql: `
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor jsonb NOT NULL,
  action text NOT NULL,
  room text,
  outcome text NOT NULL,
  detail jsonb NOT NULL,
  key text UNIQUE
);
CREATE INDEX audit_log_room ON audit_log (room, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
`,
};
