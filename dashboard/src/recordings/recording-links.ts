import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordingLinks } from '@boxroom/contracts';

/** The query parameters of a signed recording URL (redactUrl drops the whole query from logs). */
export interface LinkSignature {
  exp: number;
  sig: string;
  /** the audit actor id of whom the link was handed to (signed with it); absent: nobody named */
  by?: string;
}

/**
 * Signed, short-lived URLs for a recording's playlist, segments and download: they work as given in
 * players that carry no cookie and no bearer (VLC, ffplay). One signature covers every file of one
 * recording until `exp`: HMAC(key, "recording:<id>:<exp>[:<by>]"), `by` naming whom the link was
 * handed to, so the audit trail names them when a player uses it (an id, never a name: links are
 * passed on). The key is the dashboard's invite key (the same on every replica), separated from
 * invite secrets by the message's prefix. `exp` is digits only, so no `by` can make one message look
 * like another.
 */
export class RecordingLinkSigner {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: string,
    private readonly ttlS: number,
    private readonly nowS: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  sign(id: string, by?: string, exp = this.nowS() + this.ttlS): LinkSignature {
    return { exp, sig: this.mac(id, exp, by), ...(by !== undefined ? { by } : {}) };
  }

  /** true: a signature of this recording that has not run out. Constant time. */
  verify(id: string, exp: unknown, sig: unknown, by?: unknown): boolean {
    const e = Number(exp);
    if (!Number.isSafeInteger(e) || typeof sig !== 'string' || e < this.nowS()) return false;
    if (by !== undefined && typeof by !== 'string') return false;
    const want = Buffer.from(this.mac(id, e, by));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  query(s: LinkSignature): string {
    const by = s.by !== undefined ? `&by=${encodeURIComponent(s.by)}` : '';
    return `exp=${s.exp}&sig=${s.sig}${by}`;
  }

  /** `by`: whom they are handed to (their audit actor id). */
  links(id: string, by?: string): RecordingLinks {
    const q = this.query(this.sign(id, by));
    const base = `${this.publicUrl}/api/recordings/${id}`;
    return { play: `${base}/play.m3u8?${q}`, download: `${base}/download?${q}` };
  }

  private mac(id: string, exp: number, by?: string): string {
    const message = `recording:${id}:${exp}${by !== undefined ? `:${by}` : ''}`;
    return createHmac('sha256', this.key).update(message).digest('base64url');
  }
}
