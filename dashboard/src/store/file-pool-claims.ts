import { readJson, SerialQueue, writeJsonAtomic } from './atomic-json.js';
import type { PoolClaim } from './pool-claim-entry.js';

/**
 * The file store's pool claims (`pool-claims.json`, `{"claims": [...]}`), rewritten atomically on
 * every change. One dashboard per data directory: the write queue alone makes an insert decide once.
 */
export class FilePoolClaims {
  private claims: PoolClaim[] = [];
  private readonly writes = new SerialQueue();

  constructor(private readonly file: string) {}

  /**
   * Reads the file (absent: no claims). Not read past when corrupt, as the other state files are:
   * without its claims a room taken from the warm pool looks pooled again (its runtime's labels cannot
   * change), and the pool would delete someone's room at start.
   */
  async load(): Promise<void> {
    const data = await readJson(this.file).catch((err: unknown) => {
      throw new Error(
        `${this.file} is unreadable (${String(err)}): rooms taken from the warm pool cannot be told ` +
          'from pooled ones; repair it, or remove it, which deletes those rooms',
      );
    });
    const list = (data as { claims?: unknown } | undefined)?.claims;
    this.claims = Array.isArray(list) ? (list as PoolClaim[]) : [];
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  all(): PoolClaim[] {
    return structuredClone(this.claims);
  }

  insert(claim: PoolClaim): Promise<boolean> {
    return this.writes.run(async () => {
      if (this.claims.some((c) => c.room === claim.room)) return false;
      await this.save([...this.claims, structuredClone(claim)]);
      return true;
    });
  }

  delete(room: string): Promise<void> {
    return this.writes.run(async () => {
      if (this.claims.some((c) => c.room === room))
        await this.save(this.claims.filter((c) => c.room !== room));
    });
  }

  private async save(next: PoolClaim[]): Promise<void> {
    await writeJsonAtomic(this.file, { claims: next });
    this.claims = next;
  }
}
