import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => {
  const key = 0x5a;
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ key));
  return {
    safeStorage: {
      isEncryptionAvailable: vi.fn(() => true),
      getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
      encryptString: vi.fn((s: string) => Buffer.concat([Buffer.from('v10'), xor(Buffer.from(s, 'utf8'))])),
      decryptString: vi.fn((b: Buffer) => xor(b.subarray(3)).toString('utf8')),
    },
  };
});

const { safeStorage } = await import('electron');
const { SafeStorageVault } = await import('./safe-storage-vault');

describe('SafeStorageVault', () => {
  it('seals through safeStorage and opens again; the sealed text does not contain the token', async () => {
    const vault = new SafeStorageVault(safeStorage);
    const sealed = await vault.seal('gho_secret_token_value');
    expect(sealed).not.toContain('gho_secret_token_value');
    expect(Buffer.from(sealed, 'base64').toString('utf8')).not.toContain('gho_secret');
    expect(await vault.open(sealed)).toBe('gho_secret_token_value');
    expect(safeStorage.encryptString).toHaveBeenCalledWith('gho_secret_token_value');
  });

  it('refuses to seal when encryption is unavailable', async () => {
    vi.mocked(safeStorage.isEncryptionAvailable).mockReturnValueOnce(false);
    await expect(new SafeStorageVault(safeStorage).seal('x')).rejects.toThrow(/not available/);
  });

  it('is not usable on the basic_text backend (Linux without a keyring)', () => {
    expect(SafeStorageVault.usable(safeStorage)).toBe(true);
    vi.mocked(safeStorage.getSelectedStorageBackend).mockReturnValueOnce('basic_text');
    expect(SafeStorageVault.usable(safeStorage)).toBe(false);
  });
});
