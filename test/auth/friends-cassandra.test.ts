import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import { loadConfig } from '../../engine/shared/config';
import type { Config } from '../../engine/shared/config';
import { CassandraUserDirectory } from '../../main/auth/user-directory';
import { migrate } from '../../main/migrate/migrator';
import { GitHubFake, VirtualClock } from '../fakes/github-fake';
import { githubAuthService } from '../helpers/github-auth';

/** Sign-in against real Cassandra: users rows, friends in user_follows. */

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let config: Config;
let db: CassandraClient;
let fake: GitHubFake;
const tag = randomBytes(4).toString('hex');
const login = (n: string) => `${n}-${tag}`; // unique GitHub logins → unique user ids

beforeAll(async () => {
  config = loadConfig({
    env: {
      TOPK_DATA_DIR: mkdtempSync(join(tmpdir(), 'topk-authcass-')),
      TOPK_API_TOKEN: 't',
      TOPK_KEYSPACE: `topk_authtest_${tag}`,
      TOPK_CASSANDRA_CONTACT_POINTS: process.env.TOPK_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042',
    },
    persistToken: false,
  });
  await migrate(config, log);
  db = createCassandra(config, log);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await db?.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
  await db?.shutdown();
}, 60_000);

describe('GitHub sign-in with Cassandra', () => {
  it('records app users and friends = follows that use the app (all pages), keeping user_follows in step', async () => {
    const clock = new VirtualClock(Date.now());
    const pals = Array.from({ length: 7 }, (_, i) => ({ id: 9_000_000 + i, login: login(`Pal${i}`), name: `Pal ${i}` }));
    fake = await new GitHubFake({ now: clock.now, users: [{ id: 8_000_000, login: login('Octo'), name: 'Octo', following: pals.map((p) => p.login) }, ...pals] }).start();
    const directory = new CassandraUserDirectory(db);
    const auth = githubAuthService(fake.url, { dataDir: config.dataDir, log, directory, clock });
    auth.github.listFollowing = ((orig) => (t: string, o: Parameters<typeof orig>[1] = {}) => orig(t, { ...o, perPage: 2 }))(auth.github.listFollowing.bind(auth.github));
    const me = login('octo');
    try {
      // three pals use the app already (signed in before); one "app user" has the same id but no GitHub identity
      for (const p of pals.slice(0, 3)) await directory.upsertGithubUser({ user_id: p.login.toLowerCase(), github_id: p.id, login: p.login, name: p.name, avatar_url: '' });
      await db.execute('INSERT INTO users (user_id, display_name) VALUES (?, ?)', [pals[3]!.login.toLowerCase(), 'not from GitHub']);

      await auth.signInWithToken({ access_token: fake.issueToken(login('octo')), token_type: 'bearer', scope: 'read:user' });
      await auth.idle();
      const row = (await db.execute('SELECT * FROM users WHERE user_id = ?', [me])).first();
      expect(row.get('github_id').toNumber()).toBe(8_000_000);
      expect(row.get('github_login')).toBe(login('Octo'));
      expect(row.get('display_name')).toBe('Octo');
      expect(row.get('created_at')).toBeInstanceOf(Date);
      const expected = pals.slice(0, 3).map((p) => p.login.toLowerCase()).sort();
      expect(await auth.friendsOf(me)).toEqual(expected);
      expect(fake.requests.filter((r) => r.path === '/user/following').length).toBe(4); // 7 follows, 2 per page

      // Pal5 signs up; Octo unfollows Pal0
      await directory.upsertGithubUser({ user_id: pals[5]!.login.toLowerCase(), github_id: pals[5]!.id, login: pals[5]!.login, name: null, avatar_url: '' });
      fake.user(login('Octo'))!.following = pals.slice(1).map((p) => p.login);
      const [r] = await auth.refreshFriends(me);
      expect(r).toMatchObject({ state: 'done', added: [pals[5]!.login.toLowerCase()], removed: [pals[0]!.login.toLowerCase()] });
      const rs = await db.execute('SELECT followed_id FROM user_follows WHERE user_id = ?', [me]);
      expect(rs.rows.map((x) => x.get('followed_id') as string).sort()).toEqual([pals[1], pals[2], pals[5]].map((p) => p!.login.toLowerCase()).sort());
    } finally {
      await auth.close();
    }
  }, 60_000);
});
