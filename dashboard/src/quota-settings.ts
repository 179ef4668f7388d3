const dash = ['dashboard'] as const;

/** A per-creator quota default: a whole number, unset: no limit (null). */
const quota = (doc: string) =>
  ({
    type: 'string',
    default: null,
    docDefault: 'no limit',
    pattern: { re: /^\d{1,12}$/, like: 'a whole number' },
    processes: dash,
    doc,
  }) as const;

/** Per-creator quota defaults (dashboard-settings.ts spreads them into the table; docs/quotas.md). */
export const QUOTA_SETTINGS = {
  BOXROOM_QUOTA_ROOMS: quota(
    "a creator's rooms running at once; a create beyond answers 409 `quota_exceeded` (admins and operators have no quotas; an admin sets an account's own with PUT /api/accounts/:id/quota)",
  ),
  BOXROOM_QUOTA_ROOM_HOURS_PER_DAY: quota(
    "hours a creator's rooms may run per UTC day, summed over them; a create once they are spent answers 409 `quota_exceeded`, and a new room's max age is capped to what is left",
  ),
  BOXROOM_QUOTA_RECORDING_MB: quota(
    "MiB of recordings a creator's rooms may keep; a recording start at or over it answers 409 `quota_exceeded`, and a running recording that reaches it stops (`partial`, reason `quota`)",
  ),
} as const;
