/**
 * schemathesis (PyPI) against the engine API served from the real server
 * factory on a private port, over the test stack: every operation of
 * /openapi.json with generated valid and invalid requests, `--checks all`.
 * No failure allowed: every status the API answers is documented, every
 * schema-valid request is accepted, every body matches its schema.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../engine/shared/config';
import { startApiTestServer } from '../helpers/api-test-server';
import type { ApiTestServer } from '../helpers/api-test-server';

const ROOT = join(import.meta.dirname, '..', '..');
const ST = process.env.TOPK_SCHEMATHESIS_BIN ?? join(ROOT, '.cache', 'schemathesis', 'bin', 'st');
/** examples per operation and phase; the run stays within a few minutes on a 2-core machine */
const MAX_EXAMPLES = process.env.TOPK_SCHEMATHESIS_EXAMPLES ?? '25';

let api: ApiTestServer;
let config: Config;
let url: string;

beforeAll(async () => {
  api = await startApiTestServer({
    name: 'st',
    keyspace: `${process.env.TOPK_TEST_KEYSPACE ?? 'topk_test'}_st`,
    // no crawl reaches the internet: the crawler does not run here, and a connected source points nowhere
    env: { TOPK_LISTENBRAINZ_URL: 'http://127.0.0.1:9' },
  });
  config = api.config;
  url = await api.server.listen(0);
}, 300_000);

afterAll(async () => {
  await api?.close();
}, 120_000);

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false', SCHEMATHESIS_HOOKS: join(import.meta.dirname, 'hooks.py'), TOPK_RETENTION_DAYS: String(config.retentionDays) } });
    let out = '';
    let partial = '';
    // Streamed as it comes (a run takes minutes) and kept for the failure message. Each line is
    // tagged: schemathesis closes with a pytest-style banner ("=== 2 warnings in 44 s ===") that,
    // left at the start of a line, reads to a log scanner as a pytest run that executed no test.
    const take = (b: Buffer) => {
      const text = b.toString();
      out += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      if (lines.length > 0) process.stdout.write(lines.map((line) => `[st] ${line}\n`).join(''));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial) process.stdout.write(`[st] ${partial}\n`);
      resolve({ code, out });
    });
  });
}

describe('schemathesis', () => {
  it('finds no failure in any check across every operation of /openapi.json', async () => {
    expect(existsSync(ST), `${ST} is missing: run \`npm run schemathesis:install\``).toBe(true);
    const args = [
      'run', `${url}/openapi.json`,
      '--checks', 'all',
      '--header', `Authorization: Bearer ${config.apiToken}`,
      '--max-examples', MAX_EXAMPLES,
      '--workers', '1', // more workers trip a CPython 3.11 ast bug in hypothesis's lambda descriptions
      '--seed', process.env.TOPK_SCHEMATHESIS_SEED ?? '1',
      // a busy 2-core machine answers a cold Top-K over a year-long window slowly; the default 10 s is not about the API
      '--request-timeout', '60',
      '--max-response-time', '30',
      '--exclude-path-regex', '^/v1/events$',
      '--report', 'junit',
      '--report-junit-path', join(ROOT, 'test-results', 'schemathesis.xml'),
    ];
    const { code, out } = await run(ST, args);
    expect(code, out.slice(-4000)).toBe(0);
  });
});
