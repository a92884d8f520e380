/**
 * A real AuthService signing in against the GitHub fake (test/fakes/github-fake.ts), which
 * serves both GitHub's OAuth and its API; tokens are sealed by the headless AES vault of
 * `dataDir`. Users are kept in memory unless a `directory` is given.
 */
import { AesVault } from '../../main/auth/aes-vault';
import { AuthService } from '../../main/auth/auth-service';
import type { AuthServiceDeps } from '../../main/auth/auth-service';
import { MemoryUserDirectory } from '../../main/auth/user-directory';
import { testLog } from './index';

export interface GitHubAuthOptions extends Partial<Pick<AuthServiceDeps, 'log' | 'directory' | 'clock'>> {
  dataDir: string;
  /** the OAuth App's client id; `null`: none configured (default: the fake's `Iv1.fakeclient`) */
  clientId?: string | null;
  /** a client secret turns on the loopback + PKCE flow */
  clientSecret?: string;
}

export function githubAuthService(githubUrl: string, o: GitHubAuthOptions): AuthService {
  return new AuthService({
    config: { dataDir: o.dataDir, githubUrl, githubApiUrl: githubUrl, githubClientId: o.clientId === null ? undefined : (o.clientId ?? 'Iv1.fakeclient'), githubClientSecret: o.clientSecret },
    vault: AesVault.fromDataDir(o.dataDir),
    log: o.log ?? testLog,
    directory: o.directory ?? new MemoryUserDirectory(),
    clock: o.clock,
  });
}
