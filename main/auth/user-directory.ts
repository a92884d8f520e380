import type { CassandraClient } from '../../engine/shared/cassandra';

/**
 * App users and follows as the sign-in sees them (Cassandra tables `users` and
 * `user_follows` of cql/0001_core.cql).
 */
export interface UserDirectory {
  upsertGithubUser(u: { user_id: string; github_id: number; login: string; name: string | null; avatar_url: string }): Promise<void>;
  /** The candidates that are app users: a `users` row with the same user_id AND the same github_id. */
  appUsersAmong(candidates: { user_id: string; github_id: number }[]): Promise<string[]>;
  /** Make the user's follows exactly `followed`; returns what changed. */
  replaceFollows(userId: string, followed: string[]): Promise<{ added: string[]; removed: string[] }>;
  follows(userId: string): Promise<string[]>;
}

const IN_CHUNK = 100;

export class CassandraUserDirectory implements UserDirectory {
  constructor(private readonly db: CassandraClient) {}

  async upsertGithubUser(u: { user_id: string; github_id: number; login: string; name: string | null; avatar_url: string }): Promise<void> {
    const now = new Date();
    const existing = await this.db.execute('SELECT created_at FROM users WHERE user_id = ?', [u.user_id]);
    const created = (existing.first()?.get('created_at') as Date | null | undefined) ?? now;
    await this.db.execute(
      'INSERT INTO users (user_id, display_name, github_id, github_login, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [u.user_id, u.name ?? u.login, u.github_id, u.login, u.avatar_url, created, now],
    );
  }

  async appUsersAmong(candidates: { user_id: string; github_id: number }[]): Promise<string[]> {
    const want = new Map(candidates.map((c) => [c.user_id, c.github_id]));
    const ids = [...want.keys()];
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rs = await this.db.execute('SELECT user_id, github_id FROM users WHERE user_id IN ?', [chunk]);
      for (const row of rs.rows) {
        const gid = row.get('github_id') as { toNumber(): number } | null;
        const uid = row.get('user_id') as string;
        if (gid !== null && gid.toNumber() === want.get(uid)) out.push(uid);
      }
    }
    return out.sort();
  }

  async follows(userId: string): Promise<string[]> {
    const rs = await this.db.execute('SELECT followed_id FROM user_follows WHERE user_id = ?', [userId]);
    return rs.rows.map((r) => r.get('followed_id') as string);
  }

  async replaceFollows(userId: string, followed: string[]): Promise<{ added: string[]; removed: string[] }> {
    const before = new Set(await this.follows(userId));
    const after = new Set(followed);
    const added = [...after].filter((f) => !before.has(f)).sort();
    const removed = [...before].filter((f) => !after.has(f)).sort();
    await Promise.all([
      ...added.map((f) => this.db.execute('INSERT INTO user_follows (user_id, followed_id) VALUES (?, ?)', [userId, f])),
      ...removed.map((f) => this.db.execute('DELETE FROM user_follows WHERE user_id = ? AND followed_id = ?', [userId, f])),
    ]);
    return { added, removed };
  }
}

/** For tests and for a CLI without a reachable stack: everything in memory. */
export class MemoryUserDirectory implements UserDirectory {
  readonly users = new Map<string, { user_id: string; github_id: number | null; login?: string; name?: string | null; avatar_url?: string }>();
  readonly follow = new Map<string, Set<string>>();

  async upsertGithubUser(u: { user_id: string; github_id: number; login: string; name: string | null; avatar_url: string }): Promise<void> {
    this.users.set(u.user_id, { ...u });
  }

  async appUsersAmong(candidates: { user_id: string; github_id: number }[]): Promise<string[]> {
    return candidates.filter((c) => this.users.get(c.user_id)?.github_id === c.github_id).map((c) => c.user_id).sort();
  }

  async follows(userId: string): Promise<string[]> {
    return [...(this.follow.get(userId) ?? [])].sort();
  }

  async replaceFollows(userId: string, followed: string[]): Promise<{ added: string[]; removed: string[] }> {
    const before = this.follow.get(userId) ?? new Set<string>();
    const after = new Set(followed);
    this.follow.set(userId, after);
    return { added: [...after].filter((f) => !before.has(f)).sort(), removed: [...before].filter((f) => !after.has(f)).sort() };
  }
}
