import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RecordingLinks } from '@boxroom/contracts';

/** The query parameters of a signed recording URL (redactUrl drops the whole query from logs). */
export interface LinkSignature {
  exp: number;
  sig: string;
}

/**
 * Signed, short-lived URLs for a recording's playlist, segments and download: they work as given in
 * players that carry no cookie and no bearer (VLC, ffplay). One signature covers every file of one
 * recording until `exp`: HMAC(key, "recording:<id>:<exp>"). The key is the dashboard's invite key
 * (the same on every replica), separated from invite secrets by the message's prefix.
 */
export class RecordingLinkSigner {
  constructor(
    private readonly key: Buffer,
    private readonly publicUrl: string,
    private readonly ttlS: number,
    private readonly nowS: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  sign(id: string, exp = this.nowS() + this.ttlS): LinkSignature {
    return { exp, sig: this.mac(id, exp) };
  }

  /** true: a signature of this recording that has not run out. Constant time. */
  verify(id: string, exp: unknown, sig: unknown): boolean {
    const e = Number(exp);
    if (!Number.isSafeInteger(e) || typeof sig !== 'string' || e < this.nowS()) return false;
    const want = Buffer.from(this.mac(id, e));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  query(s: LinkSignature): string {
    return `exp=${s.exp}&sig=${s.sig}`;
  }

  links(id: string): RecordingLinks {
    const q = this.query(this.sign(id));
    const base = `${this.publicUrl}/api/recordings/${id}`;
    return { play: `${base}/play.m3u8?${q}`, download: `${base}/download?${q}` };
  }

  private mac(id: string, exp: number): string {
    return createHmac('sha256', this.key).update(`recording:${id}:${exp}`).digest('base64url');
  }
}
