import type { CassandraClient } from '../../engine/shared/cassandra';
import { UserStore } from '../../engine/shared/store/users';

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
  /** When each of the given users was deleted (GDPR tombstones in `deleted_users`, ms); users never deleted are absent. */
  deletedAt(userIds: string[]): Promise<Map<string, number>>;
}

export class CassandraUserDirectory implements UserDirectory {
  private readonly users: UserStore;

  constructor(db: CassandraClient) {
    this.users = new UserStore(db);
  }

  async upsertGithubUser(u: { user_id: string; github_id: number; login: string; name: string | null; avatar_url: string }): Promise<void> {
    await this.users.upsertGithub({ user_id: u.user_id, display_name: u.name ?? u.login, github_id: u.github_id, github_login: u.login, avatar_url: u.avatar_url }, new Date());
  }

  async appUsersAmong(candidates: { user_id: string; github_id: number }[]): Promise<string[]> {
    const want = new Map(candidates.map((c) => [c.user_id, c.github_id]));
    const have = await this.users.githubIds([...want.keys()]);
    return [...have].filter(([uid, gid]) => gid === want.get(uid)).map(([uid]) => uid).sort();
  }

  follows(userId: string): Promise<string[]> {
    return this.users.followed(userId);
  }

  deletedAt(userIds: string[]): Promise<Map<string, number>> {
    return this.users.deletedAt(userIds);
  }

  async replaceFollows(userId: string, followed: string[]): Promise<{ added: string[]; removed: string[] }> {
    const before = new Set(await this.follows(userId));
    const after = new Set(followed);
    const added = [...after].filter((f) => !before.has(f)).sort();
    const removed = [...before].filter((f) => !after.has(f)).sort();
    await Promise.all([...added.map((f) => this.users.follow(userId, f)), ...removed.map((f) => this.users.unfollow(userId, f))]);
    return { added, removed };
  }
}

/** For tests and for a CLI without a reachable stack: everything in memory. */
export class MemoryUserDirectory implements UserDirectory {
  readonly users = new Map<string, { user_id: string; github_id: number | null; login?: string; name?: string | null; avatar_url?: string }>();
  readonly follow = new Map<string, Set<string>>();
  /** GDPR tombstones: user id → deleted at (ms) */
  readonly deleted = new Map<string, number>();

  async upsertGithubUser(u: { user_id: string; github_id: number; login: string; name: string | null; avatar_url: string }): Promise<void> {
    this.users.set(u.user_id, { ...u });
  }

  async appUsersAmong(candidates: { user_id: string; github_id: number }[]): Promise<string[]> {
    return candidates.filter((c) => this.users.get(c.user_id)?.github_id === c.github_id).map((c) => c.user_id).sort();
  }

  async follows(userId: string): Promise<string[]> {
    return [...(this.follow.get(userId) ?? [])].sort();
  }

  async deletedAt(userIds: string[]): Promise<Map<string, number>> {
    return new Map(userIds.filter((u) => this.deleted.has(u)).map((u) => [u, this.deleted.get(u)!]));
  }

  async replaceFollows(userId: string, followed: string[]): Promise<{ added: string[]; removed: string[] }> {
    const before = this.follow.get(userId) ?? new Set<string>();
    const after = new Set(followed);
    this.follow.set(userId, after);
    return { added: [...after].filter((f) => !before.has(f)).sort(), removed: [...before].filter((f) => !after.has(f)).sort() };
  }
}
