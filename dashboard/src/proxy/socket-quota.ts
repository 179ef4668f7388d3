/**
 * Open edge WebSockets per principal (a room token's subject). A page uses three (stream, input,
 * session); a principal with many more is a leak or an attack, and each socket costs an upstream
 * socket and buffers here and at the agent.
 */
export class SocketQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Takes a slot for `key`; returns its release (idempotent), or null when the principal is at max. */
  acquire(key: string): (() => void) | null {
    const n = this.open.get(key) ?? 0;
    if (n >= this.max) return null;
    this.open.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}
