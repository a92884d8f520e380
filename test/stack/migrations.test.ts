import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCassandra } from '../../engine/shared/cassandra';
import { cqlDir } from '../../engine/shared/app-paths';
import { MigrationError, migrate } from '../../main/migrate/migrator';
import { cqlId, testConfig, testLog } from '../helpers';

/** The migrator against real Cassandra, in a keyspace of its own. */
describe('migrator', () => {
  const keyspace = cqlId('topk_migtest');
  const config = testConfig({ TOPK_KEYSPACE: keyspace });
  const dir = mkdtempSync(join(tmpdir(), 'topk-cql-'));
  const real = readdirSync(cqlDir()).filter((f) => /^\d{4}_.*\.cql$/.test(f)).sort();
  for (const f of real) copyFileSync(join(cqlDir(), f), join(dir, f));

  afterAll(async () => {
    const admin = createCassandra(config, testLog, { keyspace: false });
    await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await admin.shutdown();
  });

  it('applies every migration once, in order, recording checksums', async () => {
    const first = await migrate(config, testLog, { dir });
    expect(first.applied).toEqual(real);
    const db = createCassandra(config, testLog);
    try {
      const rows = (await db.execute('SELECT version, file, checksum FROM schema_migrations')).rows;
      expect(rows.map((r) => r.get('file') as string).sort()).toEqual(real);
      for (const r of rows) {
        const sha = createHash('sha256').update(readFileSync(join(dir, r.get('file') as string))).digest('hex');
        expect(r.get('checksum')).toBe(sha);
      }
      const tables = (await db.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [keyspace])).rows.map((r) => r.get('table_name') as string);
      expect(tables).toEqual(expect.arrayContaining(['users', 'listens', 'daily_counts', 'schema_migrations']));
      const ks = (await db.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
      expect(ks?.get('replication')).toMatchObject({ replication_factor: '1' });
    } finally {
      await db.shutdown();
    }
  });

  it('is a no-op the second time', async () => {
    const again = await migrate(config, testLog, { dir });
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(real);
  });

  it('applies only a new migration', async () => {
    writeFileSync(join(dir, '9000_extra.cql'), '-- test only\nCREATE TABLE IF NOT EXISTS migtest_extra (k text PRIMARY KEY, v int);\n');
    const r = await migrate(config, testLog, { dir });
    expect(r.applied).toEqual(['9000_extra.cql']);
  });

  it('refuses a changed applied migration, naming the file', async () => {
    appendFileSync(join(dir, '9000_extra.cql'), '\nCREATE TABLE IF NOT EXISTS migtest_sneaky (k text PRIMARY KEY);\n');
    const err = await migrate(config, testLog, { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).file).toBe('9000_extra.cql');
    expect((err as Error).message).toMatch(/cql\/9000_extra\.cql was changed after it was applied/);
    const db = createCassandra(config, testLog);
    try {
      const t = await db.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [keyspace, 'migtest_sneaky']);
      expect(t.rowLength).toBe(0);
    } finally {
      await db.shutdown();
    }
  });
});
