import { afterAll, describe, expect, it } from 'vitest';
import { createCassandra } from '../../engine/shared/cassandra';
import { TEST_KEYSPACE, testConfig, testLog, uid } from '../helpers';

/** CQL writes and reads through our own cassandra-driver factory, in the migrated test keyspace. */
describe('Cassandra through createCassandra', () => {
  const config = testConfig();
  const db = createCassandra(config, testLog);
  afterAll(() => db.shutdown());

  it('answers on system.local', async () => {
    const rs = await db.execute('SELECT release_version, data_center FROM system.local');
    expect(rs.first()?.get('data_center')).toBe(config.cassandraLocalDc);
    console.log(`[cassandra] release ${rs.first()?.get('release_version') as string} at ${config.cassandraContactPoints.join(',')}`);
  });

  it('writes and reads a row of the core schema', async () => {
    const userId = uid('user');
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    await db.execute('INSERT INTO users (user_id, display_name, created_at, updated_at) VALUES (?, ?, ?, ?)', [userId, 'Stack Test', now, now]);
    const row = (await db.execute('SELECT user_id, display_name, created_at FROM users WHERE user_id = ?', [userId])).first();
    expect(row?.get('display_name')).toBe('Stack Test');
    expect((row?.get('created_at') as Date).getTime()).toBe(now.getTime());
    expect(db.keyspace).toBe(TEST_KEYSPACE);
    await db.execute('DELETE FROM users WHERE user_id = ?', [userId]);
    expect((await db.execute('SELECT user_id FROM users WHERE user_id = ?', [userId])).rowLength).toBe(0);
  });
});
