import type { Logger } from '../../engine/shared/logger';
import type { AccountStore } from './account-store';
import { userIdForLogin } from './account-store';
import type { Clock } from './device-flow';
import { realClock } from './device-flow';
import type { GitHubClient } from './github-client';
import { GitHubApiError } from './github-client';
import type { UserDirectory } from './user-directory';

export interface FriendsResult {
  user_id: string;
  state: 'done' | 'rate_limited' | 'skipped' | 'failed';
  following?: number;
  friends?: string[];
  added?: string[];
  removed?: string[];
  retry_at?: string;
  error?: string;
}

/**
 * Friends = the GitHub accounts a user follows that are also app users.
 * Reads every page of /user/following (Link rel="next"), stops when the
 * rate limit is spent and remembers when to try again (X-RateLimit-Reset or
 * Retry-After), and writes `user_follows`.
 */
export class FriendsSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private deps: {
      accounts: AccountStore;
      github: GitHubClient;
      directory: UserDirectory;
      log: Logger;
      clock?: Clock;
      /** how often each account's follows are re-read (default 1 h) */
      intervalMs?: number;
    },
  ) {}

  setDirectory(directory: UserDirectory): void {
    this.deps.directory = directory;
  }

  private get now(): number {
    return (this.deps.clock ?? realClock).now();
  }

  async refresh(userId: string, opts: { force?: boolean } = {}): Promise<FriendsResult> {
    const { accounts, github, log } = this.deps;
    const acc = await accounts.get(userId);
    if (!acc) return { user_id: userId, state: 'failed', error: 'not signed in' };
    if (!opts.force && acc.friends_retry_at && Date.parse(acc.friends_retry_at) > this.now) {
      return { user_id: userId, state: 'skipped', retry_at: acc.friends_retry_at, error: 'GitHub rate limit; waiting for reset' };
    }
    const token = await accounts.token(userId);
    if (!token) return { user_id: userId, state: 'failed', error: 'not signed in' };
    try {
      const following = await github.listFollowing(token, {
        onPage: (rate) => {
          // the budget is spent: do not send a request GitHub will refuse
          if (rate && rate.remaining <= 0) throw new GitHubApiError(403, 'rate limit reached while paging', rate, rate.resetAt);
        },
      });
      const friends = await this.deps.directory.appUsersAmong(following.map((u) => ({ user_id: userIdForLogin(u.login), github_id: u.id })).filter((c) => c.user_id !== userId));
      const { added, removed } = await this.deps.directory.replaceFollows(userId, friends);
      await accounts.patch(userId, { friends_refreshed_at: new Date(this.now).toISOString(), friends_retry_at: undefined, friends_error: undefined });
      log.info({ user_id: userId, following: following.length, friends: friends.length, added: added.length, removed: removed.length }, 'friends refreshed');
      return { user_id: userId, state: 'done', following: following.length, friends, added, removed };
    } catch (err) {
      if (err instanceof GitHubApiError && err.rateLimited) {
        const retry_at = new Date(err.retryAt!).toISOString();
        await accounts.patch(userId, { friends_retry_at: retry_at, friends_error: 'rate limited' });
        log.warn({ user_id: userId, retry_at, status: err.status }, 'GitHub rate limit reached; friends refresh postponed');
        return { user_id: userId, state: 'rate_limited', retry_at, error: err.message };
      }
      const message = err instanceof GitHubApiError && err.badCredentials ? 'GitHub no longer accepts this sign-in (token revoked?); sign in again' : (err as Error).message;
      await accounts.patch(userId, { friends_error: message });
      log.warn({ user_id: userId, err: message }, 'friends refresh failed');
      return { user_id: userId, state: 'failed', error: message };
    }
  }

  /** One pass over every account whose follows are due. */
  async refreshDue(): Promise<FriendsResult[]> {
    const interval = this.deps.intervalMs ?? 3600_000;
    const out: FriendsResult[] = [];
    for (const a of (await this.deps.accounts.read()).accounts) {
      const last = a.friends_refreshed_at ? Date.parse(a.friends_refreshed_at) : 0;
      const retry = a.friends_retry_at ? Date.parse(a.friends_retry_at) : 0;
      if (this.now - last < interval || retry > this.now) continue;
      out.push(await this.refresh(a.user_id));
    }
    return out;
  }

  /** Periodic refresh; checks every `tickMs` which accounts are due. */
  start(tickMs = 60_000): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.refreshDue()
        .catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, 'friends schedule pass failed'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, tickMs);
    this.timer.unref();
    tick();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
