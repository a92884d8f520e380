/** Turns chunks of text into complete lines; keeps a partial tail until the next chunk or flush. */
export class LineSplitter {
  private tail = '';

  constructor(
    private readonly onLine: (line: string) => void,
    /** lines longer than this are cut (a runaway process must not eat memory) */
    private readonly maxLineLength = 64 * 1024,
  ) {}

  push(chunk: string | Buffer): void {
    const text = this.tail + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    if (this.tail.length > this.maxLineLength) {
      parts.push(this.tail);
      this.tail = '';
    }
    for (const p of parts) this.emit(p);
  }

  flush(): void {
    if (this.tail) this.emit(this.tail);
    this.tail = '';
  }

  private emit(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) return;
    this.onLine(line.length > this.maxLineLength ? line.slice(0, this.maxLineLength) + '…[truncated]' : line);
  }
}
