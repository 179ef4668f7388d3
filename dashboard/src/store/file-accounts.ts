import type { Account } from '@boxroom/contracts';
import type { Logger } from '../logger.js';
import { FileRecords } from './file-records.js';
import { mergeAccount } from './account-entry.js';
import type { ApiTokenEntry } from './state-store.js';

/** The file store's operator accounts (`accounts.json`) and personal API tokens (`api-tokens.json`). */
export class FileAccounts {
  private readonly accounts: FileRecords<Account>;
  private readonly tokens: FileRecords<ApiTokenEntry>;

  constructor(files: { accounts: string; tokens: string }, log: Logger) {
    // unreadable accounts come back at their next sign-in; unreadable tokens must be made again
    this.accounts = new FileRecords(files.accounts, log, 'accounts unreadable: starting without them');
    this.tokens = new FileRecords(files.tokens, log, 'API tokens unreadable: every token is refused');
  }

  async load(): Promise<void> {
    await this.accounts.load();
    await this.tokens.load();
  }

  async settled(): Promise<void> {
    await Promise.all([this.accounts.settled(), this.tokens.settled()]);
  }

  async upsert(account: Account): Promise<Account> {
    const { now } = await this.accounts.change(account.id, (stored) => mergeAccount(stored, account));
    return now!;
  }

  getAccount(id: string): Account | null {
    return this.accounts.get(id);
  }

  listAccounts(): Account[] {
    return this.accounts.all();
  }

  async insertToken(entry: ApiTokenEntry): Promise<void> {
    const { changed } = await this.tokens.change(entry.id, (t) => (t ? null : entry));
    if (!changed) throw new Error(`API token ${entry.id} exists already`);
  }

  getToken(id: string): ApiTokenEntry | null {
    return this.tokens.get(id);
  }

  listTokens(ownerId: string | null): ApiTokenEntry[] {
    return this.tokens.all().filter((t) => ownerId === null || t.owner.id === ownerId);
  }

  async deleteToken(id: string): Promise<boolean> {
    return (await this.tokens.change(id, (t) => (t ? 'delete' : null))).changed;
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.tokens.change(id, (t) => (t ? { ...t, lastUsedAt: at } : null));
  }
}
