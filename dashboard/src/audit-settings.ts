const dash = ['dashboard'] as const;

/** The audit trail's bounds (dashboard-settings.ts spreads them into the table; docs/audit.md). */
export const AUDIT_SETTINGS = {
  BOXROOM_AUDIT_RETENTION_DAYS: {
    type: 'int',
    default: 90,
    min: 0,
    max: 36_500,
    processes: dash,
    doc: 'audit entries older than this many days are deleted; 0: no age limit; see [docs/audit.md](../docs/audit.md)',
  },
  BOXROOM_AUDIT_MAX_ENTRIES: {
    type: 'int',
    default: 100_000,
    min: 0,
    max: 100_000_000,
    processes: dash,
    doc: 'the audit trail keeps at most this many entries (the oldest go first; the file store holds them in memory); 0: no cap',
  },
} as const;
