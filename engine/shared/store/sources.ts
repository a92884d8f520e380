import type { CassandraClient } from '../cassandra';
import { allRows, isoOf, oneRow, run } from './rows';
import type { Row } from './rows';

export interface SourceRow {
  user_id: string;
  source: string;
  config: Record<string, unknown>;
  credentials: Buffer | null;
  created_at: string;
}

const INSERT = 'INSERT INTO sources (user_id, source, config, credentials, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)';
const SELECT = 'SELECT * FROM sources WHERE user_id = ? AND source = ?';
const SELECT_OF_USER = 'SELECT * FROM sources WHERE user_id = ?';
const DELETE = 'DELETE FROM sources WHERE user_id = ? AND source = ?';
const DELETE_OF_USER = 'DELETE FROM sources WHERE user_id = ?';

function toSourceRow(r: Row): SourceRow {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(String(r.get('config') ?? '{}')) as Record<string, unknown>;
  } catch {
    /* keep {} */
  }
  return {
    user_id: r.get('user_id') as string,
    source: r.get('source') as string,
    config,
    credentials: (r.get('credentials') as Buffer | null) ?? null,
    created_at: isoOf(r.get('created_at')) ?? new Date(0).toISOString(),
  };
}

/** Sources connected per user (`sources`): config as JSON, credentials as ciphertext. */
export class SourceStore {
  constructor(private readonly db: CassandraClient) {}

  /** Connect or update; true when the source was not connected before. */
  async upsertSource(userId: string, source: string, config: Record<string, unknown>, credentials: Buffer | null): Promise<boolean> {
    const now = new Date();
    const existing = await this.getSource(userId, source);
    await run(this.db, INSERT, [userId, source, JSON.stringify(config), credentials, existing ? new Date(existing.created_at) : now, now]);
    return existing === null;
  }

  getSource(userId: string, source: string): Promise<SourceRow | null> {
    return oneRow(this.db, SELECT, [userId, source], toSourceRow);
  }

  listSources(userId: string): Promise<SourceRow[]> {
    return allRows(this.db, SELECT_OF_USER, [userId], toSourceRow);
  }

  async deleteSource(userId: string, source: string): Promise<void> {
    await run(this.db, DELETE, [userId, source]);
  }

  async deleteSourcesOf(userId: string): Promise<void> {
    await run(this.db, DELETE_OF_USER, [userId]);
  }
}
