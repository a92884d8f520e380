/**
 * Secrets at rest. A vault turns a token into an opaque string that can sit in
 * accounts.json, and back. Implementations: AesVault (headless, AES-256-GCM
 * under `$TOPK_DATA_DIR/secret.key`, mode 0600) and SafeStorageVault
 * (main/electron/, Electron `safeStorage`).
 */
export interface TokenVault {
  /** stored beside each sealed value so a file written by one vault is not fed to another */
  readonly kind: string;
  seal(plain: string): Promise<string>;
  open(sealed: string): Promise<string>;
}
