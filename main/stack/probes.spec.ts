import { Server, connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canListen, portOpen } from './probes';

const open: (Server | Socket)[] = [];
afterEach(() => {
  for (const s of open.splice(0)) {
    if (s instanceof Server) s.close();
    else s.destroy();
  }
});

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((s) => open.push(s));
    open.push(server);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (s: Server): number => (s.address() as { port: number }).port;

describe('canListen and portOpen', () => {
  it('see a listener the same way', async () => {
    const port = portOf(await listen());
    expect(await portOpen('127.0.0.1', port)).toBe(true);
    expect(await canListen('127.0.0.1', port)).toBe(false);
  });

  it('canListen sees a port held by the local end of a connection, which a connect probe cannot', async () => {
    const target = portOf(await listen());
    const client = connect({ host: '127.0.0.1', port: target });
    open.push(client);
    await new Promise((r) => client.once('connect', r));
    const held = client.localPort ?? 0;
    expect(await portOpen('127.0.0.1', held, 300)).toBe(false);
    expect(await canListen('127.0.0.1', held)).toBe(false);
  });

  it('canListen is true for a free port and leaves it free', async () => {
    const server = await listen();
    const port = portOf(server);
    await new Promise((r) => server.close(r));
    expect(await canListen('127.0.0.1', port)).toBe(true);
    expect(await canListen('127.0.0.1', port)).toBe(true);
  });
});
