import type { CassandraClient } from '../cassandra';
import { READ } from '../cassandra-policies';
import { allRows, isoOf, oneRow, run, textOrNull, toNumber } from './rows';
import type { Row } from './rows';

/** A `users` row as the API shows it. */
export interface UserRecord {
  user_id: string;
  display_name: string | null;
  github_login: string | null;
  avatar_url: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface GithubUser {
  user_id: string;
  display_name: string;
  github_id: number;
  github_login: string;
  avatar_url: string;
}

const COLUMNS = 'user_id, display_name, github_login, avatar_url, created_at, updated_at';
const SELECT = `SELECT ${COLUMNS} FROM users WHERE user_id = ?`;
const SELECT_ALL = `SELECT ${COLUMNS} FROM users`;
const SELECT_EVERY_COLUMN = 'SELECT * FROM users WHERE user_id = ?';
const SELECT_CREATED = 'SELECT created_at FROM users WHERE user_id = ?';
const SELECT_GITHUB_IDS = 'SELECT user_id, github_id FROM users WHERE user_id IN ?';
const INSERT = 'INSERT INTO users (user_id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)';
const INSERT_IF_MISSING = 'INSERT INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?) IF NOT EXISTS';
const INSERT_GITHUB = 'INSERT INTO users (user_id, display_name, github_id, github_login, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const RENAME = 'UPDATE users SET display_name = ?, updated_at = ? WHERE user_id = ?';
const DELETE = 'DELETE FROM users WHERE user_id = ?';

const SELECT_FOLLOWED = 'SELECT followed_id FROM user_follows WHERE user_id = ?';
/** user_follows is keyed by follower: finding followers scans (a small, local table) */
const SELECT_FOLLOWERS = 'SELECT user_id FROM user_follows WHERE followed_id = ? ALLOW FILTERING';
const FOLLOW = 'INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)';
const UNFOLLOW = 'DELETE FROM user_follows WHERE user_id = ? AND followed_id = ?';
const DELETE_FOLLOWS = 'DELETE FROM user_follows WHERE user_id = ?';

const MARK_DELETED = 'INSERT INTO deleted_users (user_id, deleted_at) VALUES (?, ?)';
const SELECT_DELETED = 'SELECT user_id, deleted_at FROM deleted_users WHERE user_id IN ?';
const BUMP_DELETIONS = 'UPDATE deletion_generation SET generation = generation + 1 WHERE id = 0';
const SELECT_DELETIONS = 'SELECT generation FROM deletion_generation WHERE id = 0';

const IN_CHUNK = 100;

function toUser(r: Row): UserRecord {
  return {
    user_id: String(r.get('user_id')),
    display_name: textOrNull(r.get('display_name')),
    github_login: textOrNull(r.get('github_login')),
    avatar_url: textOrNull(r.get('avatar_url')),
    created_at: isoOf(r.get('created_at')) ?? null,
    updated_at: isoOf(r.get('updated_at')) ?? null,
  };
}

/** Every column of a row as JSON values (timestamps as ISO strings, other driver types as strings). */
function jsonColumns(r: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of r.keys()) {
    const v: unknown = r.get(k);
    out[k] = v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' && 'toString' in v ? String(v) : v;
  }
  return out;
}

/** App users (`users`), who follows whom (`user_follows`) and GDPR tombstones (`deleted_users`). */
export class UserStore {
  constructor(private readonly db: CassandraClient) {}

  get(user: string): Promise<UserRecord | null> {
    return oneRow(this.db, SELECT, [user], toUser);
  }

  /** Users page by page until at least `limit` are read (unordered). */
  async list(limit: number): Promise<UserRecord[]> {
    const out: UserRecord[] = [];
    let pageState: string | undefined;
    do {
      const rs = await this.db.execute(SELECT_ALL, [], { ...READ, fetchSize: 500, pageState });
      for (const r of rs.rows) out.push(toUser(r));
      pageState = rs.pageState ?? undefined;
    } while (pageState && out.length < limit);
    return out;
  }

  /** Every stored column of the user (the GDPR export), or null. */
  everyColumn(user: string): Promise<Record<string, unknown> | null> {
    return oneRow(this.db, SELECT_EVERY_COLUMN, [user], jsonColumns);
  }

  async create(user: string, displayName: string | null, now: Date): Promise<void> {
    await run(this.db, INSERT, [user, displayName, now, now]);
  }

  /** Creates the row only when missing (lightweight transaction); an existing one stays untouched. */
  async ensure(user: string, now: Date): Promise<void> {
    await run(this.db, INSERT_IF_MISSING, [user, now, now]);
  }

  async rename(user: string, displayName: string, now: Date): Promise<void> {
    await run(this.db, RENAME, [displayName, now, user]);
  }

  /** Create or overwrite a GitHub-signed-in user, keeping created_at. */
  async upsertGithub(u: GithubUser, now: Date): Promise<void> {
    const created = (await oneRow(this.db, SELECT_CREATED, [u.user_id], (r) => r.get('created_at') as Date | null)) ?? now;
    await run(this.db, INSERT_GITHUB, [u.user_id, u.display_name, u.github_id, u.github_login, u.avatar_url, created, now]);
  }

  /** github_id of each of the given users that has one. */
  async githubIds(users: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < users.length; i += IN_CHUNK) {
      const rs = await this.db.execute(SELECT_GITHUB_IDS, [users.slice(i, i + IN_CHUNK)], READ);
      for (const r of rs.rows) {
        const gid = r.get('github_id') as { toNumber(): number } | null;
        if (gid !== null) out.set(r.get('user_id') as string, gid.toNumber());
      }
    }
    return out;
  }

  async delete(user: string): Promise<void> {
    await run(this.db, DELETE, [user]);
  }

  // ---- user_follows

  followed(user: string): Promise<string[]> {
    return allRows(this.db, SELECT_FOLLOWED, [user], (r) => String(r.get('followed_id')));
  }

  followers(user: string): Promise<string[]> {
    return allRows(this.db, SELECT_FOLLOWERS, [user], (r) => String(r.get('user_id')));
  }

  async follow(user: string, followed: string): Promise<void> {
    await run(this.db, FOLLOW, [user, followed]);
  }

  async unfollow(user: string, followed: string): Promise<void> {
    await run(this.db, UNFOLLOW, [user, followed]);
  }

  async deleteFollowsOf(user: string): Promise<void> {
    await run(this.db, DELETE_FOLLOWS, [user]);
  }

  // ---- deleted_users

  /**
   * The tombstone, then the deletion generation's increment (cql/0011): once this returns, a reader
   * of the generation that saw an older value knows its deleted_users answers may be stale.
   */
  async markDeleted(user: string, at: Date): Promise<void> {
    await run(this.db, MARK_DELETED, [user, at]);
    await run(this.db, BUMP_DELETIONS, []);
  }

  /** How many tombstones were written so far (counting retried increments): changes with every markDeleted. */
  async deletionGeneration(): Promise<number> {
    return (await oneRow(this.db, SELECT_DELETIONS, [], (r) => toNumber(r.get('generation')))) ?? 0;
  }

  /** When each of the given users was deleted (ms); users never deleted are absent. One query per 100 users. */
  async deletedAt(users: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < users.length; i += IN_CHUNK) {
      const rs = await this.db.execute(SELECT_DELETED, [users.slice(i, i + IN_CHUNK)], READ);
      for (const r of rs.rows) {
        const d = r.get('deleted_at') as Date | null;
        if (d) out.set(r.get('user_id') as string, d.getTime());
      }
    }
    return out;
  }
}
