import type { Migration } from './index.js';

/** Room templates made through the API: one row per template, the definition as a document. */
export const migration0005: Migration = {
  version: 5,
  name: 'templates',
  sql: `
CREATE TABLE templates (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  definition jsonb NOT NULL
);
`,
};
