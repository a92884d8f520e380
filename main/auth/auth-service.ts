import type { Logger } from '../../engine/shared/logger';
import type { Config } from '../../engine/shared/config';
import type { PublicAccount } from './account-store';
import { AccountStore, userIdForLogin } from './account-store';
import type { Clock } from './device-flow';
import type { AuthStateWire, DeviceFlowStatus, PendingSignIn, PendingState } from '../control/control-wire';
import { DeviceFlow, DeviceFlowError } from './device-flow';
import type { FriendsResult } from './friends-sync';
import { FriendsSync } from './friends-sync';
import type { TokenResponse } from './github-client';
import { GitHubClient } from './github-client';
import type { GitHubAppStatus } from './github-app';
import { GitHubNotConfiguredError, githubAppStatus, parseClientId, saveClientId } from './github-app';
import { startLoopbackFlow } from './loopback-flow';
import type { TokenVault } from './token-vault';
import type { UserDirectory } from './user-directory';
import { MemoryUserDirectory } from './user-directory';

/** The sign-in state, the latest device flow: the control server's wire shapes (main/control/control-wire.ts). */
export type { PendingSignIn, PendingState };
export type AuthState = AuthStateWire;
export type DeviceStatus = DeviceFlowStatus;

export interface AuthServiceDeps {
  config: Pick<Config, 'dataDir' | 'githubUrl' | 'githubApiUrl' | 'githubClientId' | 'githubClientSecret'>;
  vault: TokenVault;
  /** the client id came from TOPK_GITHUB_CLIENT_ID (it wins over one saved in config.json) */
  clientIdFromEnv?: boolean;
  /** other vaults able to open older entries (Electron: the headless AES vault) */
  readers?: TokenVault[];
  log: Logger;
  /** Cassandra users/user_follows; without one, users are kept in memory (CLI without a stack) */
  directory?: UserDirectory;
  clock?: Clock;
  fetch?: typeof fetch;
  friendsIntervalMs?: number;
}

/**
 * GitHub sign-in for the control plane: device flow (default), loopback +
 * PKCE (when a client secret is configured), accounts with one active,
 * sign-out with revocation, friends from follows. Tokens stay inside: nothing
 * this class returns carries one.
 */
export class AuthService {
  readonly accounts: AccountStore;
  readonly github: GitHubClient;
  readonly friends: FriendsSync;
  private directory: UserDirectory;
  private flow: DeviceFlow | undefined;
  private flowResult: { user_id?: string } = {};
  private flowDone: Promise<PublicAccount | undefined> | undefined;
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: AuthServiceDeps) {
    const c = deps.config;
    this.accounts = new AccountStore(c.dataDir, deps.vault, deps.readers);
    this.github = new GitHubClient({ githubUrl: c.githubUrl, githubApiUrl: c.githubApiUrl, clientId: c.githubClientId, clientSecret: c.githubClientSecret, fetch: deps.fetch, now: deps.clock?.now });
    this.directory = deps.directory ?? new MemoryUserDirectory();
    this.friends = new FriendsSync({ accounts: this.accounts, github: this.github, directory: this.directory, log: deps.log, clock: deps.clock, intervalMs: deps.friendsIntervalMs });
  }

  /** Record every signed-in account as an app user and start the periodic friends refresh. */
  async start(opts: { friendsTickMs?: number } = {}): Promise<void> {
    await this.signOutDeleted();
    await this.recordAccounts();
    this.friends.start(opts.friendsTickMs);
  }

  /**
   * Switch to the real user directory once Cassandra is up and migrated (the
   * routes are served before that). Accounts signed in meanwhile (or by
   * `topk login` without a stack) become app users now, and their friends are
   * recomputed against the real users table.
   */
  async attachDirectory(directory: UserDirectory): Promise<void> {
    this.directory = directory;
    this.friends.setDirectory(directory);
    await this.signOutDeleted();
    await this.recordAccounts();
    for (const a of await this.accounts.list()) this.track(this.friends.refresh(a.user_id, { force: true }));
  }

  private async recordAccounts(): Promise<void> {
    for (const a of (await this.accounts.read()).accounts) {
      await this.directory.upsertGithubUser({ user_id: a.user_id, github_id: a.github_id, login: a.login, name: a.name, avatar_url: a.avatar_url });
    }
  }

  async state(): Promise<AuthState> {
    const list = await this.accounts.list();
    const out: AuthState = {
      accounts: list.map((a) => ({ user_id: a.user_id, login: a.login, name: a.name, avatar_url: a.avatar_url, active: a.active })),
      active_user_id: list.find((a) => a.active)?.user_id ?? null,
    };
    const s = this.flow?.status;
    if (s && s.state !== 'approved' && s.state !== 'cancelled') {
      out.pending = { user_code: s.user_code, verification_uri: s.verification_uri, expires_at: s.expires_at, interval: s.interval, state: s.state };
      if (s.error) out.pending.error = s.error;
    }
    return out;
  }

  /** The OAuth App in use, or how to register one. */
  githubApp(): GitHubAppStatus {
    return githubAppStatus(this.github.clientId, !!this.deps.clientIdFromEnv, this.deps.config.githubUrl);
  }

  /**
   * Saves a pasted OAuth App client id in config.json and signs in with it from now on
   * (unless TOPK_GITHUB_CLIENT_ID is set: the environment wins). ClientIdError when malformed.
   */
  setClientId(raw: unknown): GitHubAppStatus & { saved: true } {
    const id = parseClientId(raw);
    saveClientId(this.deps.config.dataDir, id);
    if (!this.deps.clientIdFromEnv) {
      this.cancelDevice();
      this.github.useClientId(id);
    }
    this.deps.log.info({ client_id: id, from_env: !!this.deps.clientIdFromEnv }, 'GitHub OAuth App client id saved in config.json');
    return { ...this.githubApp(), saved: true };
  }

  /** Start a device flow (cancelling one in progress) and poll in the background. */
  async startDevice(): Promise<{ user_code: string; verification_uri: string; expires_in: number; interval: number; expires_at: string }> {
    if (!this.github.clientId) throw new GitHubNotConfiguredError();
    this.cancelDevice();
    const flow = new DeviceFlow(this.github, { scope: 'read:user', clock: this.deps.clock });
    this.flow = flow;
    this.flowResult = {};
    const s = await flow.start();
    this.deps.log.info({ verification_uri: s.verification_uri }, 'device sign-in started');
    const expiresIn = Math.max(0, Math.round((Date.parse(s.expires_at) - (this.deps.clock?.now() ?? Date.now())) / 1000));
    const done = flow
      .wait()
      .then((token) => this.signInWithToken(token))
      .then((acc) => {
        if (this.flow === flow) this.flowResult = { user_id: acc.user_id };
        return acc;
      })
      .catch((err: unknown) => {
        const code = err instanceof DeviceFlowError ? err.code : 'error';
        if (code !== 'cancelled') this.deps.log.warn({ code, err: (err as Error).message }, 'device sign-in ended without a token');
        return undefined;
      });
    this.flowDone = done;
    this.track(done);
    return { user_code: s.user_code, verification_uri: s.verification_uri, expires_in: expiresIn, interval: s.interval, expires_at: s.expires_at };
  }

  deviceStatus(): DeviceStatus | undefined {
    const s = this.flow?.status;
    if (!s) return undefined;
    return this.flowResult.user_id ? { ...s, user_id: this.flowResult.user_id } : s;
  }

  /** Resolves when the current device flow has ended: the account, or undefined. */
  async waitDevice(): Promise<PublicAccount | undefined> {
    return this.flowDone;
  }

  cancelDevice(): boolean {
    const f = this.flow;
    if (!f) return false;
    const st = f.status?.state;
    const live = st === 'pending' || st === 'slow_down';
    f.cancel();
    this.flow = undefined;
    return live;
  }

  /** Loopback + PKCE sign-in; needs TOPK_GITHUB_CLIENT_SECRET. `open` shows the URL to the user. */
  async loginLoopback(open: (url: string) => Promise<void> | void, timeoutMs?: number): Promise<PublicAccount> {
    const h = await startLoopbackFlow(this.github, { githubUrl: this.deps.config.githubUrl, timeoutMs });
    try {
      await open(h.authorizeUrl);
    } catch (err) {
      h.cancel();
      throw err;
    }
    return this.signInWithToken(await h.token);
  }

  /** Read the GitHub user, store the account (sealed token), record the app user, refresh friends. */
  async signInWithToken(t: TokenResponse): Promise<PublicAccount> {
    const user = await this.github.getUser(t.access_token);
    const user_id = userIdForLogin(user.login);
    await this.directory.upsertGithubUser({ user_id, github_id: user.id, login: user.login, name: user.name, avatar_url: user.avatar_url });
    const acc = await this.accounts.save({ github_id: user.id, login: user.login, name: user.name, avatar_url: user.avatar_url, scope: t.scope, token: t.access_token });
    this.deps.log.info({ user_id, github_id: user.id }, 'signed in with GitHub');
    this.track(this.friends.refresh(user_id, { force: true }));
    return acc;
  }

  async setActive(userId: string): Promise<boolean> {
    return this.accounts.setActive(userId);
  }

  /**
   * Sign out: revoke the token at GitHub when the app has a secret, then
   * delete it. The app user (`users` row, listens) stays; deleting those is
   * the GDPR route's job.
   */
  async signOut(userId: string): Promise<{ removed: boolean; revoked: boolean }> {
    const acc = await this.accounts.get(userId);
    if (!acc) return { removed: false, revoked: false };
    let revoked = false;
    if (this.github.hasSecret) {
      try {
        const token = await this.accounts.token(userId);
        if (token) revoked = await this.github.revokeToken(token);
      } catch (err) {
        this.deps.log.warn({ user_id: userId, err: (err as Error).message }, 'token revocation failed; deleting the local copy anyway');
      }
    }
    await this.accounts.remove(userId);
    this.deps.log.info({ user_id: userId, revoked }, 'signed out');
    return { removed: true, revoked };
  }

  /**
   * GDPR: an account whose app user was deleted (a `deleted_users` tombstone
   * written after the account signed in) is signed out, so its GitHub token
   * leaves the vault with the rest of the user. Runs on start and, through the
   * control server, as soon as a proxied DELETE /v1/users/{id} answers 202 (the
   * engine cannot reach this vault). `only` narrows the check to those users.
   * An account signed in again after the deletion is a new sign-in and stays.
   * Returns the user ids signed out.
   */
  async signOutDeleted(only?: string[]): Promise<string[]> {
    const accounts = (await this.accounts.read()).accounts.filter((a) => !only || only.includes(a.user_id));
    if (!accounts.length) return [];
    const deleted = await this.directory.deletedAt(accounts.map((a) => a.user_id));
    const out: string[] = [];
    for (const a of accounts) {
      const at = deleted.get(a.user_id);
      if (at === undefined || at < Date.parse(a.updated_at)) continue;
      await this.signOut(a.user_id);
      this.deps.log.info({ user_id: a.user_id, deleted_at: new Date(at).toISOString() }, 'signed out: the app user was deleted');
      out.push(a.user_id);
    }
    return out;
  }

  async refreshFriends(userId?: string): Promise<FriendsResult[]> {
    const ids = userId ? [userId] : (await this.accounts.list()).map((a) => a.user_id);
    const out: FriendsResult[] = [];
    for (const id of ids) out.push(await this.friends.refresh(id, { force: false }));
    return out;
  }

  async friendsOf(userId: string): Promise<string[]> {
    return this.directory.follows(userId);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined).finally(() => this.background.delete(q));
    this.background.add(q);
  }

  /** Wait for background work (sign-in completion, friends refresh) to settle. */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  async close(): Promise<void> {
    this.flow?.cancel();
    await this.friends.close();
    await this.idle();
  }
}
