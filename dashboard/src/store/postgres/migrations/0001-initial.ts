import type { Migration } from './index.js';

/** The state of issue 14: invite generations, rights, leases, the webhook outbox. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE invite_generations (
  room text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'participant', 'viewer')),
  generation integer NOT NULL CHECK (generation > 0),
  PRIMARY KEY (room, role)
);

-- a participant's tokens are refused until until_s (s since epoch)
CREATE TABLE kicks (
  room text NOT NULL,
  participant_id text NOT NULL,
  until_s bigint NOT NULL,
  PRIMARY KEY (room, participant_id)
);

-- tokens of the role issued (iat, s) before before_s are refused
CREATE TABLE revocations (
  room text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'participant', 'viewer')),
  before_s bigint NOT NULL,
  PRIMARY KEY (room, role)
);

-- singleton jobs; expires_at is on the database's clock, never a replica's
CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- json, not jsonb: the event comes back with its keys in order, as the receiver saw it the first time.
-- Finished rows stay a while so that the same event queued again by a late replica is refused.
CREATE TABLE webhook_outbox (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  event json NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_at_ms bigint NOT NULL DEFAULT 0,
  finished_at timestamptz
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (seq) WHERE finished_at IS NULL;
CREATE INDEX webhook_outbox_finished ON webhook_outbox (finished_at) WHERE finished_at IS NOT NULL;
`,
};
