import { SecretBox } from '../../engine/shared/crypto';
import type { TokenVault } from './token-vault';

/** Headless vault: AES-256-GCM with the data dir's 0600 key file (engine/shared/crypto.ts). */
export class AesVault implements TokenVault {
  readonly kind = 'aes-256-gcm';

  constructor(private readonly box: SecretBox) {}

  static fromDataDir(dataDir: string): AesVault {
    return new AesVault(SecretBox.fromDataDir(dataDir));
  }

  async seal(plain: string): Promise<string> {
    return this.box.encrypt(plain).toString('base64');
  }

  async open(sealed: string): Promise<string> {
    return this.box.decryptString(Buffer.from(sealed, 'base64'));
  }
}
