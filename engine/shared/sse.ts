import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseChannel {
  send(data: unknown, opts?: { event?: string; id?: string | number }): void;
  comment(text: string): void;
  close(): void;
  readonly closed: boolean;
  onClose(cb: () => void): void;
}

/** Turns a response (the engine API's or the control server's) into a Server-Sent Events stream with a keep-alive comment every `pingMs`. */
export function openSse(req: IncomingMessage, res: ServerResponse, pingMs = 15_000): SseChannel {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  res.write(': connected\n\n');
  const closeCbs: (() => void)[] = [];
  let closed = false;
  const ping = setInterval(() => ch.comment('ping'), pingMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    for (const cb of closeCbs) cb();
  };
  req.on('close', finish);
  res.on('close', finish);
  const ch: SseChannel = {
    send(data, opts = {}) {
      if (closed) return;
      let frame = '';
      if (opts.id !== undefined) frame += `id: ${opts.id}\n`;
      if (opts.event) frame += `event: ${opts.event}\n`;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      for (const line of text.split('\n')) frame += `data: ${line}\n`;
      res.write(frame + '\n');
    },
    comment(text) {
      if (!closed) res.write(`: ${text}\n\n`);
    },
    close() {
      if (!closed) res.end();
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(cb) {
      if (closed) cb();
      else closeCbs.push(cb);
    },
  };
  return ch;
}
