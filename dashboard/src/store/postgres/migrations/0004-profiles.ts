import type { Migration } from './index.js';

/**
 * Persistent profiles (issue 17): one row per owner and name. `in_use_by` is the lease: the room
 * that has the profile's home mounted; a conditional update takes it, so one replica wins.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'profiles',
  sql: `
CREATE TABLE profiles (
  owner text NOT NULL,
  name text NOT NULL,
  in_use_by text,
  bytes bigint,
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  PRIMARY KEY (owner, name)
);
`,
};
