import type { Migration } from './index.js';

/** A room's live settings (PATCH /api/rooms/:id): its size and the clipboard policy, as one document. */
export const migration0003: Migration = {
  version: 3,
  name: 'room-settings',
  sql: `
CREATE TABLE room_settings (
  room text PRIMARY KEY,
  settings jsonb NOT NULL
);
`,
};
