import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenVault } from './token-vault';

/**
 * Signed-in GitHub accounts: `$TOPK_DATA_DIR/accounts.json` (mode 0600).
 * The token field holds only vault ciphertext. Several accounts may be signed
 * in; one is active. The file is re-read on every call so a `topk login` in
 * another process shows up in a running control server at once.
 *
 * user_id scheme: the GitHub login, lowercased (GitHub logins are
 * case-insensitive, [a-z0-9-], at most 39 characters), so `octocat` signs in
 * as app user `octocat`. The numeric GitHub id is kept beside it (users.github_id)
 * and is what friends are matched on.
 */

export interface StoredAccount {
  user_id: string;
  github_id: number;
  login: string;
  name: string | null;
  avatar_url: string;
  scope: string;
  token: { vault: string; sealed: string };
  created_at: string;
  updated_at: string;
  friends_refreshed_at?: string;
  /** do not ask GitHub for this account's follows before this time (rate limit) */
  friends_retry_at?: string;
  friends_error?: string;
}

interface AccountsFile {
  version: 1;
  active_user_id: string | null;
  accounts: StoredAccount[];
}

/** What may leave the main process: never the token. */
export interface PublicAccount {
  user_id: string;
  github_id: number;
  login: string;
  name: string | null;
  avatar_url: string;
  active: boolean;
  friends_refreshed_at?: string;
}

export function userIdForLogin(login: string): string {
  return login.toLowerCase();
}

export class AccountStore {
  readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly vault: TokenVault,
    /** vaults that may have sealed older entries (e.g. the AES vault of a headless `topk login` seen by the Electron app) */
    private readonly readers: TokenVault[] = [],
  ) {
    this.file = join(dataDir, 'accounts.json');
  }

  async read(): Promise<AccountsFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, active_user_id: null, accounts: [] };
      throw err;
    }
    const parsed = JSON.parse(text) as Partial<AccountsFile>;
    return { version: 1, active_user_id: parsed.active_user_id ?? null, accounts: Array.isArray(parsed.accounts) ? parsed.accounts : [] };
  }

  /** Serialised read-modify-write within this process; atomic replace on disk. */
  private update<T>(fn: (f: AccountsFile) => T | Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      const f = await this.read();
      const out = await fn(f);
      await this.write(f);
      return out;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(f: AccountsFile): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(f, null, 2) + '\n', { mode: 0o600 });
    try {
      await rename(tmp, this.file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    chmodSync(this.file, 0o600);
  }

  async list(): Promise<PublicAccount[]> {
    const f = await this.read();
    return f.accounts.map((a) => toPublic(a, f.active_user_id));
  }

  async get(userId: string): Promise<StoredAccount | undefined> {
    return (await this.read()).accounts.find((a) => a.user_id === userId);
  }

  async activeUserId(): Promise<string | null> {
    return (await this.read()).active_user_id;
  }

  /** Add or replace the account (same GitHub id or user id) and make it active. */
  async save(p: { github_id: number; login: string; name: string | null; avatar_url: string; scope: string; token: string }): Promise<PublicAccount> {
    const sealed = await this.vault.seal(p.token);
    return this.update((f) => {
      const now = new Date().toISOString();
      const user_id = userIdForLogin(p.login);
      const prev = f.accounts.find((a) => a.github_id === p.github_id || a.user_id === user_id);
      const acc: StoredAccount = {
        ...(prev ?? {}),
        user_id,
        github_id: p.github_id,
        login: p.login,
        name: p.name,
        avatar_url: p.avatar_url,
        scope: p.scope,
        token: { vault: this.vault.kind, sealed },
        created_at: prev?.created_at ?? now,
        updated_at: now,
      };
      f.accounts = f.accounts.filter((a) => a !== prev);
      f.accounts.push(acc);
      f.active_user_id = user_id;
      return toPublic(acc, f.active_user_id);
    });
  }

  /** The decrypted token: for GitHub calls inside the main process only. */
  async token(userId: string): Promise<string | undefined> {
    const a = await this.get(userId);
    if (!a) return undefined;
    const v = [this.vault, ...this.readers].find((x) => x.kind === a.token.vault);
    if (!v) throw new Error(`the token of ${userId} was sealed by ${a.token.vault}, which is not available here; sign in again`);
    return v.open(a.token.sealed);
  }

  async setActive(userId: string): Promise<boolean> {
    return this.update((f) => {
      if (!f.accounts.some((a) => a.user_id === userId)) return false;
      f.active_user_id = userId;
      return true;
    });
  }

  /** Remove the account (and its sealed token). The next remaining account becomes active. */
  async remove(userId: string): Promise<StoredAccount | undefined> {
    return this.update((f) => {
      const acc = f.accounts.find((a) => a.user_id === userId);
      if (!acc) return undefined;
      f.accounts = f.accounts.filter((a) => a !== acc);
      if (f.active_user_id === userId) f.active_user_id = f.accounts[f.accounts.length - 1]?.user_id ?? null;
      return acc;
    });
  }

  async patch(userId: string, patch: Partial<Pick<StoredAccount, 'friends_refreshed_at' | 'friends_retry_at' | 'friends_error'>>): Promise<void> {
    await this.update((f) => {
      const acc = f.accounts.find((a) => a.user_id === userId);
      if (acc) Object.assign(acc, patch);
      for (const k of Object.keys(patch) as (keyof typeof patch)[]) if (acc && patch[k] === undefined) delete acc[k];
    });
  }
}

function toPublic(a: StoredAccount, active: string | null): PublicAccount {
  const out: PublicAccount = { user_id: a.user_id, github_id: a.github_id, login: a.login, name: a.name, avatar_url: a.avatar_url, active: a.user_id === active };
  if (a.friends_refreshed_at) out.friends_refreshed_at = a.friends_refreshed_at;
  return out;
}
