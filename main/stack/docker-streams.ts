/**
 * Pure helpers for the Engine API's streams: image pull progress (one JSON
 * object per layer event) aggregated into one percentage, and the multiplexed
 * stdout/stderr log stream of a non-TTY container split into timestamped lines.
 */

/** One event of `POST /images/create` (docker pull). */
export interface PullEvent {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface PullSnapshot {
  percent: number;
  bytesDone: number;
  bytesTotal: number;
  layers: number;
  layersDone: number;
}

interface LayerState {
  total: number;
  downloaded: number;
  extracted: number;
  done: boolean;
}

/**
 * Aggregates per-layer pull events. Download counts for 80 % of a layer and
 * extraction for 20 %; layers that already exist locally count as done and
 * add no bytes. `bytesDone`/`bytesTotal` are the downloaded and known sizes.
 */
export class PullProgress {
  private readonly layers = new Map<string, LayerState>();

  update(e: PullEvent): PullSnapshot {
    const status = e.status ?? '';
    const id = e.id;
    // events without a layer id (e.g. "Pulling from library/redis", "Digest: …") carry no progress
    if (id && !/^Pulling from /.test(status) && /^[0-9a-f]{6,}$/i.test(id)) {
      const layer = this.layers.get(id) ?? { total: 0, downloaded: 0, extracted: 0, done: false };
      this.layers.set(id, layer);
      const cur = e.progressDetail?.current ?? 0;
      const tot = e.progressDetail?.total ?? 0;
      if (status === 'Downloading') {
        if (tot > 0) layer.total = tot;
        layer.downloaded = Math.max(layer.downloaded, cur);
      } else if (status === 'Download complete' || status === 'Verifying Checksum') {
        layer.downloaded = layer.total;
      } else if (status === 'Extracting') {
        layer.downloaded = layer.total;
        if (tot > 0) layer.extracted = Math.min(1, cur / tot);
      } else if (status === 'Pull complete' || status === 'Already exists') {
        layer.downloaded = layer.total;
        layer.extracted = 1;
        layer.done = true;
      }
    }
    return this.snapshot();
  }

  snapshot(): PullSnapshot {
    let bytesDone = 0;
    let bytesTotal = 0;
    let weight = 0;
    let layersDone = 0;
    for (const l of this.layers.values()) {
      bytesDone += l.downloaded;
      bytesTotal += l.total;
      if (l.done) layersDone++;
      const dl = l.done ? 1 : l.total > 0 ? l.downloaded / l.total : 0;
      weight += l.done ? 1 : 0.8 * dl + 0.2 * l.extracted;
    }
    const layers = this.layers.size;
    const percent = layers === 0 ? 0 : Math.min(100, Math.floor((100 * weight) / layers));
    return { percent, bytesDone, bytesTotal, layers, layersDone };
  }
}

export interface DemuxedLine {
  stream: 'stdout' | 'stderr';
  /** ISO timestamp when the engine added one (logs with timestamps=true) */
  time?: string;
  line: string;
}

/**
 * Incremental splitter for the Engine's multiplexed log stream: frames of
 * [stream(1), 0, 0, 0, size(4, big-endian)] + payload, payload split into lines,
 * each line's leading RFC 3339 timestamp (from `timestamps: true`) parsed off.
 * With `tty: true` the stream is raw text (all stdout).
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };

  constructor(
    private readonly onLine: (l: DemuxedLine) => void,
    private readonly tty = false,
  ) {}

  push(chunk: Buffer): void {
    if (this.tty) {
      this.text('stdout', chunk.toString('utf8'));
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const kind = this.pending[0];
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size).toString('utf8');
      this.pending = this.pending.subarray(8 + size);
      this.text(kind === 2 ? 'stderr' : 'stdout', payload);
    }
  }

  /** Emits whatever partial lines remain. */
  end(): void {
    for (const s of ['stdout', 'stderr'] as const) {
      if (this.partial[s]) this.emit(s, this.partial[s]);
      this.partial[s] = '';
    }
  }

  private text(stream: 'stdout' | 'stderr', s: string): void {
    const all = this.partial[stream] + s;
    const lines = all.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.emit(stream, l);
  }

  private emit(stream: 'stdout' | 'stderr', raw: string): void {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) ?(.*)$/s.exec(text);
    if (m?.[1]) {
      const t = new Date(m[1]);
      this.onLine({ stream, time: Number.isNaN(t.getTime()) ? m[1] : t.toISOString(), line: m[2] ?? '' });
    } else {
      this.onLine({ stream, line: text });
    }
  }
}
