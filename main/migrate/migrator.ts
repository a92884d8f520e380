import { createHash } from 'node:crypto';
import type cassandra from 'cassandra-driver';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cqlDir } from '../../engine/shared/app-paths';
import type { Config } from '../../engine/shared/config';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Logger } from '../../engine/shared/logger';
import { waitFor } from '../../engine/shared/wait-for';
import type { ProbeResult } from '../../engine/shared/wait-for';
import { DATA_STEPS } from './data-steps';

export interface Migration {
  version: number;
  /** file name, e.g. 0001_core.cql */
  file: string;
  path: string;
  /** sha256 of the file's bytes, hex */
  checksum: string;
  statements: string[];
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_RE = /^(\d{4})_[A-Za-z0-9_-]+\.cql$/;
const KEYSPACE_RE = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

export function isValidKeyspace(name: string): boolean {
  return KEYSPACE_RE.test(name);
}

/** `NNNN_name.cql` files of `dir`, in version order. Two files with one version are an error. */
export function listMigrations(dir: string = cqlDir()): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const m = FILE_RE.exec(file);
    if (!m) continue;
    const path = join(dir, file);
    const bytes = readFileSync(path);
    const version = Number(m[1]);
    const clash = out.find((x) => x.version === version);
    if (clash) throw new MigrationError(`${file} and ${clash.file} have the same version ${m[1]}; each migration needs its own number`, file);
    out.push({ version, file, path, checksum: createHash('sha256').update(bytes).digest('hex'), statements: splitStatements(bytes.toString('utf8')) });
  }
  return out.sort((a, b) => a.version - b.version);
}

/**
 * Splits CQL text into statements on `;`, ignoring `--`, `//` and block
 * comments and anything inside quotes or `$$` strings.
 */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (two === '--' || two === '//') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
      continue;
    }
    if (two === '/*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
      cur += ' ';
      continue;
    }
    if (two === '$$') {
      const end = text.indexOf('$$', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      cur += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === c && text[j + 1] === c) j += 2; // doubled quote escapes itself
        else if (text[j] === c) break;
        else j++;
      }
      cur += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `{'class': 'SimpleStrategy', 'replication_factor': '1'}` from the config map. */
export function replicationCql(replication: Record<string, string | number>): string {
  if (typeof replication.class !== 'string' || !replication.class) throw new MigrationError('replication needs a "class", e.g. {"class":"SimpleStrategy","replication_factor":1}');
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  return `{${Object.entries(replication)
    .map(([k, v]) => `${q(k)}: ${q(String(v))}`)
    .join(', ')}}`;
}

/** The keyspace's stored replication map and the configured one say the same (class names short or long, numbers as text). */
export function sameReplication(stored: Record<string, string>, wanted: Record<string, string | number>): boolean {
  const norm = (m: Record<string, string | number>) =>
    JSON.stringify(
      Object.entries(m)
        .map(([k, v]) => [k, k === 'class' ? String(v).replace('org.apache.cassandra.locator.', '') : String(v)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
  return norm(stored) === norm(wanted);
}

export interface MigrateResult {
  keyspace: string;
  applied: string[];
  alreadyApplied: string[];
}

export interface MigrateOptions {
  dir?: string;
  onProgress?: (message: string) => void;
}

/**
 * Applies `cql/NNNN_*.cql` in order into `config.keyspace` (created with
 * `config.replication`), recording each in `schema_migrations` with its
 * sha256. Re-running is a no-op; a changed applied migration is refused.
 */
export async function migrate(
  config: Pick<Config, 'cassandraContactPoints' | 'cassandraLocalDc' | 'keyspace' | 'replication'> & Partial<Pick<Config, 'topicPartitions'>>,
  log: Logger,
  opts: MigrateOptions = {},
): Promise<MigrateResult> {
  const progress = opts.onProgress ?? (() => undefined);
  const ks = config.keyspace;
  if (!KEYSPACE_RE.test(ks)) throw new MigrationError(`keyspace name ${JSON.stringify(ks)} is not valid: letters, digits and _, starting with a letter, at most 48`);
  const migrations = listMigrations(opts.dir);

  const admin = createCassandra(config, log, { keyspace: false });
  try {
    await admin.execute(`CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${replicationCql(config.replication)}`);
    // the next statement may go to any node: each must know the keyspace by then
    await awaitSchemaAgreement(admin, `keyspace ${ks}`, progress);
    const existing = await admin.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [ks]);
    const stored = existing.rows[0]?.get('replication') as Record<string, string> | undefined;
    if (stored && !sameReplication(stored, config.replication)) {
      throw new MigrationError(
        `keyspace ${ks} exists with replication ${JSON.stringify(stored)}, but the config asks for ${JSON.stringify(config.replication)} (TOPK_CASSANDRA_REPLICATION). ` +
          `Changing it moves data: run ALTER KEYSPACE ${ks} WITH replication = ${replicationCql(config.replication)}; then a full repair on every node (nodetool repair -full ${ks}), or set the replication the keyspace has.`,
      );
    }
    await admin.execute(
      `CREATE TABLE IF NOT EXISTS ${ks}.schema_migrations (version int PRIMARY KEY, file text, checksum text, applied_at timestamp)`,
    );
    // the next client connects with the keyspace to any node: each must know the table by then
    await awaitSchemaAgreement(admin, `table ${ks}.schema_migrations`, progress, `SELECT version FROM ${ks}.schema_migrations LIMIT 1`);
  } finally {
    await admin.shutdown();
  }

  const client = createCassandra(config, log);
  const result: MigrateResult = { keyspace: ks, applied: [], alreadyApplied: [] };
  try {
    const rs = await client.execute('SELECT version, file, checksum FROM schema_migrations');
    const applied = new Map<number, { file: string; checksum: string }>();
    for (const row of rs.rows) applied.set(row.get('version') as number, { file: row.get('file') as string, checksum: row.get('checksum') as string });

    for (const m of migrations) {
      const done = applied.get(m.version);
      if (done) {
        if (done.checksum !== m.checksum) {
          throw new MigrationError(
            `cql/${m.file} was changed after it was applied to keyspace ${ks} (recorded sha256 ${done.checksum.slice(0, 12)}…, file now ${m.checksum.slice(0, 12)}…). ` +
              `Never edit an applied migration: restore it and add a new cql/NNNN_name.cql instead.`,
            m.file,
          );
        }
        result.alreadyApplied.push(m.file);
        continue;
      }
      progress(`applying ${m.file} (${m.statements.length} statements) to keyspace ${ks}`);
      for (const [i, stmt] of m.statements.entries()) {
        try {
          await executeDdl(client, stmt);
        } catch (err) {
          throw new MigrationError(`cql/${m.file}, statement ${i + 1}: ${(err as Error).message}\n${stmt.slice(0, 300)}`, m.file);
        }
      }
      await awaitSchemaAgreement(client, `cql/${m.file}`, progress);
      const step = DATA_STEPS.get(m.version);
      if (step) {
        progress(`moving data for ${m.file}`);
        await step(client, { topicPartitions: config.topicPartitions ?? 6, log });
      }
      await client.execute('INSERT INTO schema_migrations (version, file, checksum, applied_at) VALUES (?, ?, ?, ?)', [m.version, m.file, m.checksum, new Date()]);
      log.info({ keyspace: ks, migration: m.file, checksum: m.checksum }, 'migration applied');
      result.applied.push(m.file);
    }
  } finally {
    await client.shutdown();
  }
  return result;
}

/** How long the nodes may take to agree on a schema change before the migration fails. */
const SCHEMA_AGREEMENT_MS = 180_000;
/** How long a node the client knows but sees down is waited for (it may be joining); after that it pulls the schema when it is back. */
const DOWN_GRACE_MS = 30_000;

/** What one node says of the schema: its own version, and each peer's as it knows it (null: not yet). */
export interface NodeSchema {
  address: string;
  version: string;
  peers: Array<string | null>;
}

/**
 * Whether a schema change has reached every node. `nodes` are the nodes that are up, each asked for
 * itself; `down` how many more nodes the client knows. Settled when every node is up and the nodes'
 * own versions and every version they know of a peer are one and the same, with no peer's version
 * unknown yet and no node knowing more peers than the client found. A node down past the grace
 * period (`downOk`) is left out — it pulls the schema when it is back — and so are the peers' versions
 * then (a down node's is stale): the answering nodes' own versions must agree.
 */
export function schemaSettled(nodes: readonly NodeSchema[], down: number, downOk: boolean): { settled: boolean; why: string } {
  if (nodes.length === 0) return { settled: false, why: 'no node answered yet' };
  if (down > 0 && !downOk) return { settled: false, why: `${down} of ${nodes.length + down} nodes down` };
  const versions = new Set(nodes.map((n) => n.version));
  if (down === 0) {
    for (const n of nodes) {
      if (n.peers.length + 1 > nodes.length) return { settled: false, why: `node ${n.address} knows ${n.peers.length} peers, the client found ${nodes.length - 1}` };
      for (const v of n.peers) {
        if (v === null) return { settled: false, why: `node ${n.address} does not know a peer's schema version yet` };
        versions.add(v);
      }
    }
  }
  if (versions.size > 1) return { settled: false, why: `${versions.size} schema versions among ${nodes.length} nodes` };
  return { settled: true, why: '' };
}

/** The node's own schema version and its peers', asked of that node (system tables are node-local). */
async function nodeSchema(client: CassandraClient, host: cassandra.Host): Promise<NodeSchema> {
  const local = await client.execute('SELECT schema_version FROM system.local', [], { host });
  const peers = await client.execute('SELECT schema_version FROM system.peers', [], { host });
  const version = local.first()?.get('schema_version') as unknown;
  if (version === null || version === undefined) throw new Error(`node ${host.address} has no schema version yet`);
  return {
    address: host.address,
    version: String(version),
    peers: peers.rows.map((r) => {
      const v = r.get('schema_version') as unknown;
      return v === null || v === undefined ? null : String(v);
    }),
  };
}

/**
 * Waits until the schema change has reached every node (`schemaSettled`), asking each node the client
 * knows for itself. The driver waits after each schema change too, but for at most
 * maxSchemaAgreementWaitSeconds (10 s), and its check (`Metadata.checkSchemaAgreement`) asks one node,
 * which skips a peer whose version it does not know yet: on a busy two-core machine a fresh
 * three-node cluster took longer than both, and the next client, connecting with the new keyspace to a
 * node that did not know it yet, failed with "Keyspace … does not exist" (the cluster suite, twice).
 */
async function awaitSchemaAgreement(client: CassandraClient, what: string, progress: (message: string) => void, resolves?: string): Promise<void> {
  const t0 = Date.now();
  let told = t0;
  let why = '';
  const probe = async (): Promise<ProbeResult> => {
    const hosts = client.hosts.values();
    const up = hosts.filter((h) => h.isUp());
    try {
      const r = schemaSettled(await Promise.all(up.map((h) => nodeSchema(client, h))), hosts.length - up.length, Date.now() - t0 > DOWN_GRACE_MS);
      why = r.why;
      if (r.settled && resolves) {
        // equal versions were once not enough: right after they agreed, a client connecting with the
        // keyspace met a node that answered "Keyspace … does not exist" (the cluster suite, once in
        // sixteen runs, on a node that had just joined). Each node coordinating a read of the new
        // table shows it resolves keyspace and table, as the next client's USE and reads need.
        for (const h of up) {
          try {
            await client.execute(resolves, [], { host: h, prepare: false });
          } catch (err) {
            why = `node ${h.address}: ${(err as Error).message}`;
            return { ok: false, detail: why };
          }
        }
      }
      return { ok: r.settled, detail: r.why };
    } catch (err) {
      why = (err as Error).message;
      return { ok: false, detail: why };
    }
  };
  const onWaiting = (waited: number): void => {
    if (Date.now() - told < 10_000) return;
    told = Date.now();
    progress(`waiting for the nodes to agree on the schema after ${what} (${Math.round(waited / 1000)} s: ${why})`);
  };
  try {
    await waitFor(`schema agreement after ${what}`, probe, { timeoutMs: SCHEMA_AGREEMENT_MS, intervalMs: 500, onWaiting });
  } catch {
    // waitFor only throws at its deadline here (no signal, no failFast, and the probe catches)
    throw new MigrationError(`the Cassandra nodes did not agree on the schema after ${what} within ${SCHEMA_AGREEMENT_MS / 1000} s (${why}); check that every node is up (nodetool describecluster)`);
  }
}

/**
 * Schema changes wait for schema agreement and can take far longer than a
 * query on a busy two-core machine. Migration statements are idempotent
 * (`IF NOT EXISTS`), so a timed-out one is simply sent again.
 */
async function executeDdl(client: CassandraClient, stmt: string, attempts = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.execute(stmt, [], { prepare: false, readTimeout: 60_000 });
      return;
    } catch (err) {
      const timedOut = /timeout|timed out|OperationTimedOut/i.test((err as Error).message) || (err as Error).name === 'OperationTimedOutError';
      if (!timedOut || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}
