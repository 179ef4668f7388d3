import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Who may read GET /metrics: the admin token or BOXROOM_METRICS_TOKEN, as `Authorization: Bearer`.
 * The series name every room and how it is used, so they are not public. Digests are compared, in
 * constant time and at equal length, whatever the caller sent.
 */
export class MetricsAuth {
  private readonly allowed: Buffer[];

  constructor(adminToken: string, metricsToken: string | null) {
    this.allowed = [adminToken, ...(metricsToken ? [metricsToken] : [])].map(digest);
  }

  allows(authorization: string | undefined): boolean {
    const m = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '');
    if (!m?.[1]) return false;
    const given = digest(m[1]);
    // every candidate is compared: the time does not say which one matched
    let ok = false;
    for (const want of this.allowed) ok = timingSafeEqual(given, want) || ok;
    return ok;
  }
}
