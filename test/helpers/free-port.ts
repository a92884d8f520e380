import { createServer } from 'node:net';
import { freePort } from '../../main/stack/probes';

function listenOn(port: number): Promise<(() => Promise<void>) | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(() => new Promise<void>((r) => server.close(() => r()))));
  });
}

/** A free port p with p+1 free too (Kafka's controller, Cassandra's storage port sit at p+1). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    const next = port < 65535 ? await listenOn(port + 1) : undefined;
    if (next) {
      await next();
      return port;
    }
  }
  throw new Error('no free port pair found');
}
