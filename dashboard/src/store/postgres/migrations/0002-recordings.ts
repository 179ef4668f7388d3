import type { Migration } from './index.js';

/** The recordings index (issue 15): one row per recording, its entry as a document. */
export const migration0002: Migration = {
  version: 2,
  name: 'recordings',
  sql: `
CREATE TABLE recordings (
  id text PRIMARY KEY,
  room text NOT NULL,
  state text NOT NULL,
  started_at bigint NOT NULL,
  entry jsonb NOT NULL
);
CREATE INDEX recordings_room ON recordings (room);
-- one running recording per room: two replicas asked to start at once, one insert wins
CREATE UNIQUE INDEX recordings_one_running ON recordings (room) WHERE state = 'recording';
`,
};
