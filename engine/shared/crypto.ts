import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * AES-256-GCM for secrets at rest (source credentials). The key lives in
 * `$TOPK_DATA_DIR/secret.key`, 32 random bytes, mode 0600, created on first use.
 * Ciphertext layout: version byte (1) | 12-byte IV | 16-byte tag | ciphertext.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
  }

  static fromDataDir(dataDir: string): SecretBox {
    return new SecretBox(loadOrCreateKey(dataDir));
  }

  encrypt(plain: string | Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(box: Buffer): Buffer {
    if (box.length < 29 || box[0] !== 1) throw new Error('not a SecretBox ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.key, box.subarray(1, 13));
    decipher.setAuthTag(box.subarray(13, 29));
    return Buffer.concat([decipher.update(box.subarray(29)), decipher.final()]);
  }

  decryptString(box: Buffer): string {
    return this.decrypt(box).toString('utf8');
  }
}

export function loadOrCreateKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
    throw new Error(`${file} does not hold a 32-byte base64 key`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // another process created it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(dataDir);
    throw err;
  }
  chmodSync(file, 0o600);
  return key;
}
