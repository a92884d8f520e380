/**
 * Security assertions: every route of /openapi.json refuses a request without
 * (or with a wrong) token; a foreign Host and a foreign CORS origin are
 * refused by the API and the control server; secrets are encrypted at rest
 * (source credentials in Cassandra, GitHub tokens in accounts.json) and never
 * reach the logs. Electron's web preferences and navigation guards are
 * asserted in main/electron/{window-state,desktop-shell,security}.spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../engine/api/server';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { SecretBox } from '../../engine/shared/crypto';
import { AccountStore } from '../../main/auth/account-store';
import { AesVault } from '../../main/auth/aes-vault';
import type { ControlServerHandle } from '../../main/control/control-server';
import { startApiTestServer } from '../helpers/api-test-server';
import { startBareControlServer } from '../helpers/control-test-server';
import type { ApiTestServer } from '../helpers/api-test-server';

let api: ApiTestServer;
let config: Config;
let db: CassandraClient;
let server: ApiServer;
let control: ControlServerHandle;
let controlBase: string;
/** every log line the API, crawl service and control server wrote during this file */
const logText: string[] = [];
const log = pino(
  { level: 'trace' },
  new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText.push(chunk.toString());
      cb();
    },
  }),
);
const auth = () => ({ authorization: `Bearer ${config.apiToken}` });
const LB_TOKEN = `lb-secret-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  api = await startApiTestServer({ name: 'sec', env: { TOPK_API_TOKEN: `api-secret-${randomBytes(16).toString('hex')}` }, log });
  ({ config, db, server } = api);
  control = await startBareControlServer({ token: config.apiToken, log });
  controlBase = control.url;
}, 180_000);

afterAll(async () => {
  await control?.close();
  await api?.close();
}, 120_000);

function http(path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(path, controlBase);
  return new Promise((resolve, reject) => {
    const req = request(u, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('engine API', () => {
  it('every route in /openapi.json refuses a request without the token, or with a wrong one', async () => {
    const doc = (await server.app.inject({ url: '/openapi.json', headers: auth() })).json() as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
        const url = path.replace(/\{[^}]+\}/g, 'u-sec');
        const isPublic = path === '/healthz' || path === '/readyz';
        for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${config.apiToken}x` }, { authorization: `Basic ${config.apiToken}` }]) {
          const res = await server.app.inject({ method: method.toUpperCase() as 'GET', url, headers: { ...headers, 'content-type': 'application/json' }, payload: method === 'get' || method === 'delete' ? undefined : '{}' });
          if (isPublic) expect(res.statusCode, `${method} ${path}`).toBeLessThan(500);
          else {
            expect(res.statusCode, `${method} ${path} with ${JSON.stringify(headers)}`).toBe(401);
            expect(res.json().error.code).toBe('unauthorized');
          }
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('refuses a foreign Host header, even with the token', async () => {
    for (const host of ['evil.example.com', 'localhost.evil.com', '127.0.0.1.nip.io:8080']) {
      const res = await server.app.inject({ url: '/v1/pipeline', headers: { host, ...auth() } });
      expect(res.statusCode).toBe(403);
    }
  });

  it('refuses a foreign CORS origin (preflight 403, no Access-Control-Allow-Origin)', async () => {
    const origin = 'https://evil.example.com';
    const pre = await server.app.inject({ method: 'OPTIONS', url: '/v1/pipeline', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.statusCode).toBe(403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await server.app.inject({ url: '/healthz', headers: { origin } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('control server', () => {
  it('refuses requests without the token on /control and /api', async () => {
    for (const p of ['/control/stack', '/control/processes', '/control/logs', '/api/v1/pipeline']) {
      expect((await http(p)).status).toBe(401);
      expect((await http(p, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    }
  });

  it('refuses a foreign Host header, even with the token', async () => {
    const res = await http('/control/stack', { headers: { host: 'evil.example.com', ...auth() } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('never grants a foreign CORS origin', async () => {
    const origin = 'https://evil.example.com';
    const pre = await http('/control/stack', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET' } });
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await http('/control/stack', { headers: { origin, ...auth() } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('secrets at rest and in logs', () => {
  it('a ListenBrainz token is stored encrypted in Cassandra and never logged', async () => {
    const res = await server.app.inject({ method: 'PUT', url: '/v1/users/u-sec/sources/listenbrainz', headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'someone', token: LB_TOKEN }) });
    expect(res.statusCode).toBeLessThan(300);
    expect(res.body).not.toContain(LB_TOKEN);
    const row = (await db.execute('SELECT credentials, config FROM sources WHERE user_id = ? AND source = ?', ['u-sec', 'listenbrainz'], { prepare: true })).first();
    const creds = row.credentials as Buffer;
    expect(creds.length).toBeGreaterThan(LB_TOKEN.length);
    expect(creds.toString('latin1')).not.toContain(LB_TOKEN);
    expect(String(row.config)).not.toContain(LB_TOKEN);
    expect(SecretBox.fromDataDir(config.dataDir).decryptString(creds)).toBe(LB_TOKEN);
    const list = await server.app.inject({ url: '/v1/users/u-sec/sources', headers: auth() });
    expect(list.body).not.toContain(LB_TOKEN);
  });

  it('a GitHub token is encrypted in accounts.json (AES-256-GCM vault)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topk-sec-'));
    const token = `gho_${randomBytes(18).toString('hex')}`;
    const store = new AccountStore(dir, AesVault.fromDataDir(dir));
    await store.save({ github_id: 1, login: 'octo', name: null, avatar_url: 'https://avatars.example/1', scope: 'read:user', token });
    const text = readFileSync(store.file, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(4, 20));
  });

  it('the API token and source tokens never appear in any log line written during this file', () => {
    const all = logText.join('');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(config.apiToken);
    expect(all).not.toContain(LB_TOKEN);
  });
});
