import { connect, createServer } from 'node:net';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel as KafkaLogLevel } from 'kafkajs';
import type { ProbeResult } from '../../engine/shared/wait-for';

/**
 * Probes that tell whether a service really answers (not just whether its
 * port is open). Each gives up after `timeoutMs` and never throws: it returns
 * `{ ok: false, detail }` instead. Shared by every provider and by `doctor`.
 */
export type { ProbeResult } from '../../engine/shared/wait-for';
export { waitFor } from '../../engine/shared/wait-for';

export function splitHostPort(endpoint: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(endpoint.trim());
  const host = m?.[1] || '127.0.0.1';
  const port = m?.[2] ? Number(m[2]) : defaultPort;
  return { host, port };
}

export function redisHostPort(redisUrl: string): { host: string; port: number } {
  const u = new URL(redisUrl);
  return { host: u.hostname || '127.0.0.1', port: u.port ? Number(u.port) : 6379 };
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a server could listen on host:port now. False also when nothing listens there but a
 * connection's local end holds the port (any port of the kernel's outgoing range can be taken
 * that way), which a connect probe cannot see and which fails the service's bind later.
 */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Why a service could not bind host:port now: a program listens there, or a socket holds it; undefined when it could. */
export async function portTaken(host: string, port: number): Promise<string | undefined> {
  if (await portOpen(host, port, 700)) return 'is already in use by another program';
  if (!(await canListen(host, port))) return 'cannot be bound: a connection or another program holds it';
  return undefined;
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** True while a process with this pid exists (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Redis PING over a raw socket (no client reconnect noise). */
export function probeRedis(redisUrl: string, timeoutMs = 2000): Promise<ProbeResult> {
  const { host, port } = redisHostPort(redisUrl);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf = '';
    const done = (r: ProbeResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done(buf.startsWith('+PONG') ? { ok: true } : { ok: false, detail: `no answer from ${host}:${port} within ${timeoutMs} ms` }));
    socket.once('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.startsWith('-')) return done({ ok: false, detail: buf.split('\r\n')[0] });
      const v = /redis_version:([^\r\n]+)\r\n/.exec(buf);
      if (buf.startsWith('+PONG') && v) done({ ok: true, version: v[1] });
    });
    socket.once('error', (err) => done({ ok: false, detail: err.message }));
    socket.once('close', () => done(buf.startsWith('+PONG') ? { ok: true } : { ok: false, detail: 'connection closed' }));
  });
}

/** Kafka metadata request through kafkajs admin. */
export async function probeKafka(brokers: string[], timeoutMs = 5000): Promise<ProbeResult> {
  const kafka = new Kafka({
    clientId: 'topk-probe',
    brokers,
    logLevel: KafkaLogLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const timer = new Promise<ProbeResult>((resolve) => setTimeout(() => resolve({ ok: false, detail: `no metadata within ${timeoutMs} ms` }), timeoutMs).unref());
  const attempt = (async (): Promise<ProbeResult> => {
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return { ok: cluster.brokers.length > 0, detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller}` };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  })();
  try {
    return await Promise.race([attempt, timer]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** CQL `SELECT release_version FROM system.local`. */
export async function probeCassandra(contactPoints: string[], localDc: string, timeoutMs = 5000): Promise<ProbeResult> {
  const port = splitHostPort(contactPoints[0] ?? '127.0.0.1', 9042).port;
  const client = new cassandra.Client({
    contactPoints: contactPoints.map((p) => splitHostPort(p, port).host),
    localDataCenter: localDc,
    protocolOptions: { port },
    socketOptions: { connectTimeout: Math.min(timeoutMs, 3000), readTimeout: timeoutMs },
    policies: { reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(60_000) },
  });
  try {
    const rs = await client.execute('SELECT release_version FROM system.local');
    const v = rs.first()?.get('release_version') as string | undefined;
    return v ? { ok: true, version: v } : { ok: false, detail: 'system.local returned no row' };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] };
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}
