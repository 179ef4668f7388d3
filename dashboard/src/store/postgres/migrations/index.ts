import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-recordings.js';
import { migration0003 } from './0003-room-settings.js';
import { migration0004 } from './0004-profiles.js';
import { migration0005 } from './0005-templates.js';
import { migration0006 } from './0006-accounts.js';
import { migration0007 } from './0007-audit.js';
import { migration0008 } from './0008-quotas.js';
import { migration0009 } from './0009-pool-claims.js';

/**
 * One schema change. Versions count up from 1 and a migration never changes once released: a new
 * change is a new file (`NNNN-what.ts`) added at the end of MIGRATIONS. Each runs in the transaction
 * that records it in `schema_migrations`, so it applies wholly or not at all.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
];
