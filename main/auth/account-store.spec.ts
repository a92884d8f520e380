import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountStore, userIdForLogin } from './account-store';
import { AesVault } from './aes-vault';

const TOKEN = 'gho_ThisIsTheSecretTokenValue123';

function store(dir = mkdtempSync(join(tmpdir(), 'topk-acc-'))) {
  return { dir, s: new AccountStore(dir, AesVault.fromDataDir(dir)) };
}

const octo = { github_id: 1, login: 'Octo', name: 'Octo Cat', avatar_url: 'a', scope: 'read:user', token: TOKEN };

describe('AccountStore + AesVault', () => {
  it('the stored file and the key file are 0600 and the file does not contain the token', async () => {
    const { dir, s } = store();
    await s.save(octo);
    const text = readFileSync(join(dir, 'accounts.json'), 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
    expect(statSync(join(dir, 'accounts.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(text).accounts[0].token.vault).toBe('aes-256-gcm');
    expect(await s.token('octo')).toBe(TOKEN);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a tampered ciphertext or another key does not open', async () => {
    const { dir, s } = store();
    await s.save(octo);
    const other = new AccountStore(dir, AesVault.fromDataDir(mkdtempSync(join(tmpdir(), 'topk-key-'))));
    await expect(other.token('octo')).rejects.toThrow();
  });

  it('user_id is the lowercased login; public listings never carry the token', async () => {
    const { s } = store();
    expect(userIdForLogin('Octo-Cat')).toBe('octo-cat');
    const acc = await s.save(octo);
    expect(acc).toEqual({ user_id: 'octo', github_id: 1, login: 'Octo', name: 'Octo Cat', avatar_url: 'a', active: true });
    expect(JSON.stringify(await s.list())).not.toContain('token');
  });

  it('several accounts, one active; remove picks another; re-sign-in replaces by github id', async () => {
    const { s } = store();
    await s.save(octo);
    await s.save({ ...octo, github_id: 2, login: 'hubot', token: 'gho_2' });
    expect((await s.list()).map((a) => [a.user_id, a.active])).toEqual([
      ['octo', false],
      ['hubot', true],
    ]);
    expect(await s.setActive('octo')).toBe(true);
    expect(await s.setActive('nobody')).toBe(false);
    expect(await s.activeUserId()).toBe('octo');
    await s.save({ ...octo, name: 'Renamed', token: 'gho_new' });
    expect((await s.list()).length).toBe(2);
    expect(await s.token('octo')).toBe('gho_new');
    expect((await s.remove('octo'))?.login).toBe('Octo');
    expect(await s.activeUserId()).toBe('hubot');
    await s.remove('hubot');
    expect(await s.activeUserId()).toBeNull();
    expect(await s.remove('hubot')).toBeUndefined();
  });

  it('concurrent updates in one process are serialised', async () => {
    const { s } = store();
    await Promise.all(Array.from({ length: 8 }, (_, i) => s.save({ ...octo, github_id: i + 10, login: `u${i}`, token: `t${i}` })));
    expect((await s.list()).length).toBe(8);
  });
});
