/**
 * Container logs for the docker provider: the last lines (for error messages), a snapshot,
 * or a followed stream that moves on to the service's next container when one is recreated.
 */
import type Docker from 'dockerode';
import { sleep } from '../../engine/shared/concurrency';
import { engineMessage } from './docker-engine';
import { LogDemuxer } from './docker-streams';
import type { Disposable, LogOptions, ServiceLogLine, ServiceName } from './types';

/** The last `n` log lines of a container, or why they cannot be read. */
export async function lastLogLines(docker: Docker, id: string, n: number): Promise<string> {
  try {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: n, timestamps: false, follow: false })) as unknown as Buffer;
    const lines: string[] = [];
    const demux = new LogDemuxer((l) => lines.push(l.line));
    demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    demux.end();
    return lines.slice(-n).join('\n');
  } catch (err) {
    return `(logs unavailable: ${engineMessage(err)})`;
  }
}

export interface ContainerLogOptions extends LogOptions {
  /** the service's current container, when the followed one went away */
  findCurrent: () => Promise<Docker.ContainerInfo | undefined>;
  /** delay before looking for the next container */
  reconnectMs: number;
}

/** Log lines of the container `firstId` of `service`; with `follow`, of its successors too, until disposed. */
export async function containerLogs(
  docker: Docker,
  service: ServiceName,
  firstId: string,
  onLine: (l: ServiceLogLine) => void,
  o: ContainerLogOptions,
): Promise<Disposable> {
  let disposed = false;
  let current: NodeJS.ReadableStream | undefined;
  let lastTime = '';
  const deliver = (l: { stream: 'stdout' | 'stderr'; time?: string; line: string }) => {
    if (disposed) return;
    const time = l.time ?? new Date().toISOString();
    lastTime = time;
    onLine({ service, stream: l.stream, time, line: l.line });
  };
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    (current as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  };
  o.signal?.addEventListener('abort', dispose, { once: true });

  if (!o.follow) {
    const c = docker.getContainer(firstId);
    const info = await c.inspect();
    const buf = (await c.logs({ stdout: true, stderr: true, timestamps: true, follow: false, ...(o.tail !== undefined ? { tail: o.tail } : {}) })) as unknown as Buffer;
    const demux = new LogDemuxer(deliver, info.Config.Tty);
    demux.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    demux.end();
    return { dispose };
  }

  const attach = async (id: string, since?: string) => {
    const c = docker.getContainer(id);
    const info = await c.inspect();
    const stream = (await c.logs({
      stdout: true,
      stderr: true,
      timestamps: true,
      follow: true,
      ...(since ? { since: Math.floor(new Date(since).getTime() / 1000) } : o.tail !== undefined ? { tail: o.tail } : {}),
    })) as unknown as NodeJS.ReadableStream;
    if (disposed) {
      (stream as unknown as { destroy: () => void }).destroy();
      return;
    }
    current = stream;
    const demux = new LogDemuxer((l) => {
      if (since && l.time && l.time <= since) return;
      deliver(l);
    }, info.Config.Tty);
    stream.on('data', (b: Buffer) => demux.push(b));
    stream.on('error', () => {});
    stream.on('end', () => {
      demux.end();
      if (!disposed) void reconnect();
    });
  };
  // the container went away or was recreated: follow the new one
  const reconnect = async () => {
    while (!disposed) {
      await sleep(o.reconnectMs);
      if (disposed) return;
      try {
        const found = await o.findCurrent();
        if (found && found.State === 'running') {
          await attach(found.Id, lastTime || undefined);
          return;
        }
      } catch {
        /* engine busy or gone: try again */
      }
    }
  };
  await attach(firstId);
  return { dispose };
}
