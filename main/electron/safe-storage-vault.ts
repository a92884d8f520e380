import type { TokenVault } from '../auth/token-vault';

/** The part of Electron's `safeStorage` the vault uses (injected; main/electron wires the real one). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/** Tokens sealed by the OS keychain through Electron `safeStorage`. */
export class SafeStorageVault implements TokenVault {
  readonly kind = 'electron-safe-storage';

  constructor(private readonly safeStorage: SafeStorageLike) {}

  /** True when the OS offers real encryption (on Linux `basic_text` is not: fall back to AesVault). */
  static usable(s: SafeStorageLike): boolean {
    if (!s.isEncryptionAvailable()) return false;
    return s.getSelectedStorageBackend?.() !== 'basic_text';
  }

  async seal(plain: string): Promise<string> {
    if (!this.safeStorage.isEncryptionAvailable()) throw new Error('safeStorage encryption is not available');
    return this.safeStorage.encryptString(plain).toString('base64');
  }

  async open(sealed: string): Promise<string> {
    return this.safeStorage.decryptString(Buffer.from(sealed, 'base64'));
  }
}
