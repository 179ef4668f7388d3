import type { Account, AccountRef, OperatorRole } from '@boxroom/contracts';
import type { ApiTokenEntry } from '../state-store.js';
import type { PgDatabase } from './pg-database.js';

/** The PostgreSQL store's operator accounts and API tokens (migration 0006). */
export class PgAccounts {
  constructor(private readonly db: PgDatabase) {}

  async upsert(a: Account): Promise<Account> {
    // one statement: two replicas signing the same person in at once both end with one row
    const { rows } = await this.db.query<AccountRow>(
      `INSERT INTO accounts (id, name, email, role, created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, role = excluded.role,
         last_sign_in_at = excluded.last_sign_in_at
       RETURNING ${ACCOUNT_COLUMNS}`,
      [a.id, a.name, a.email, a.role, a.createdAt, a.lastSignInAt],
    );
    return accountOf(rows[0]!);
  }

  async get(id: string): Promise<Account | null> {
    const { rows } = await this.db.query<AccountRow>(
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`,
      [id],
    );
    return rows[0] ? accountOf(rows[0]) : null;
  }

  async list(): Promise<Account[]> {
    const { rows } = await this.db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY seq`);
    return rows.map(accountOf);
  }

  async insertToken(t: ApiTokenEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO api_tokens (id, name, owner_id, owner, digest, created_at, expires_at, last_used_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [t.id, t.name, t.owner.id, JSON.stringify(t.owner), t.digest, t.createdAt, t.expiresAt, t.lastUsedAt],
    );
  }

  async getToken(id: string): Promise<ApiTokenEntry | null> {
    const { rows } = await this.db.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? tokenOf(rows[0]) : null;
  }

  async listTokens(ownerId: string | null): Promise<ApiTokenEntry[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE $1::text IS NULL OR owner_id = $1 ORDER BY seq`,
      [ownerId],
    );
    return rows.map(tokenOf);
  }

  async deleteToken(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM api_tokens WHERE id = $1', [id]);
    return rowCount === 1;
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [id, at]);
  }
}

const ACCOUNT_COLUMNS = 'id, name, email, role, created_at, last_sign_in_at';
const TOKEN_COLUMNS = 'id, name, owner, digest, created_at, expires_at, last_used_at';

interface AccountRow {
  id: string;
  name: string;
  email: string | null;
  role: OperatorRole;
  created_at: Date;
  last_sign_in_at: Date;
}

interface TokenRow {
  id: string;
  name: string;
  owner: AccountRef;
  digest: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function accountOf(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    role: r.role,
    createdAt: r.created_at.toISOString(),
    lastSignInAt: r.last_sign_in_at.toISOString(),
  };
}

function tokenOf(r: TokenRow): ApiTokenEntry {
  return {
    id: r.id,
    name: r.name,
    owner: r.owner,
    digest: r.digest,
    createdAt: r.created_at.toISOString(),
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
  };
}
