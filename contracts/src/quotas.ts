import { Type, type Static } from 'typebox';
import { AccountId } from './accounts.js';

/**
 * Per-creator limits. null: no limit. Defaults come from the dashboard's settings
 * (BOXROOM_QUOTA_*); an admin may set an account's own with PUT /api/accounts/:id/quota.
 * Admins and operators have none. Going over is refused with 409 `quota_exceeded`.
 */
const limit = (description: string) =>
  Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: `${description}; null: no limit` });

export const QuotaLimits = Type.Object(
  {
    roomsAtOnce: limit('rooms running at the same time'),
    roomHoursPerDay: limit('hours of rooms running per UTC day, summed over the rooms'),
    recordingBytes: limit('bytes of recordings kept'),
  },
  { additionalProperties: false },
);
export type QuotaLimits = Static<typeof QuotaLimits>;

/** PUT /api/accounts/:id/quota: any of the limits; absent keeps the account's value, null lifts it. */
export const QuotaLimitsPatch = Type.Object(
  {
    roomsAtOnce: Type.Optional(QuotaLimits.properties.roomsAtOnce),
    roomHoursPerDay: Type.Optional(QuotaLimits.properties.roomHoursPerDay),
    recordingBytes: Type.Optional(QuotaLimits.properties.recordingBytes),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type QuotaLimitsPatch = Static<typeof QuotaLimitsPatch>;

export const QuotaUsage = Type.Object({
  roomsAtOnce: Type.Integer({ minimum: 0 }),
  /** this UTC day so far, rooms still running included */
  roomHoursPerDay: Type.Number({ minimum: 0 }),
  recordingBytes: Type.Integer({ minimum: 0 }),
});
export type QuotaUsage = Static<typeof QuotaUsage>;

/** GET /api/quota (the caller's), GET /api/accounts/:id/quota (admin). */
export const QuotaReport = Type.Object({
  account: AccountId,
  limits: QuotaLimits,
  usage: QuotaUsage,
});
export type QuotaReport = Static<typeof QuotaReport>;
