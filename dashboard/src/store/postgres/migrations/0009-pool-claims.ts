import type { Migration } from './index.js';

/** Pooled rooms taken by a create (rooms/pool): one row per room, who took it as a document. */
export const migration0009: Migration = {
  version: 9,
  name: 'pool-claims',
  sql: `
CREATE TABLE pool_claims (
  room text PRIMARY KEY,
  claim jsonb NOT NULL
);
`,
};
