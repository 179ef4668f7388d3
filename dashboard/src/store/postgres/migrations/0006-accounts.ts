import type { Migration } from './index.js';

/**
 * Operator accounts (made at their first sign-in) and their personal API tokens: only a digest of a
 * token's secret is kept. `seq` keeps the order they were made in.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'accounts',
  sql: `
CREATE TABLE accounts (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  name text NOT NULL,
  email text,
  role text NOT NULL,
  created_at timestamptz NOT NULL,
  last_sign_in_at timestamptz NOT NULL
);
CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  name text NOT NULL,
  owner_id text NOT NULL,
  owner jsonb NOT NULL,
  digest text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_tokens_owner ON api_tokens (owner_id);
`,
};
