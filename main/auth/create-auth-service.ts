import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import type { Logger } from '../../engine/shared/logger';
import { AesVault } from './aes-vault';
import { AuthService } from './auth-service';
import type { TokenVault } from './token-vault';
import { CassandraUserDirectory } from './user-directory';

/**
 * The control plane's AuthService. Headless: AES-256-GCM vault. Electron
 * passes its SafeStorageVault as `vault` (the AES vault stays a reader so
 * accounts signed in with `topk login` keep working).
 * Wiring: `routes: [createAuthRoutes(auth)]` on the ControlPlane; once the
 * stack is up and migrated, `await auth.attachDirectory(new CassandraUserDirectory(db))`
 * then `await auth.start()` (periodic friends refresh); `auth.close()` on shutdown.
 */
export function createAuthService(config: Config, log: Logger, opts: { cassandra?: CassandraClient; vault?: TokenVault } = {}): AuthService {
  const aes = AesVault.fromDataDir(config.dataDir);
  const vault = opts.vault ?? aes;
  return new AuthService({
    config,
    vault,
    clientIdFromEnv: config.fromEnv.includes('githubClientId'),
    readers: vault === aes ? [] : [aes],
    log: log.child({ component: 'auth' }),
    directory: opts.cassandra ? new CassandraUserDirectory(opts.cassandra) : undefined,
  });
}
