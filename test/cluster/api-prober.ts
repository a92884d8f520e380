/**
 * Queries every API process in a loop while the cluster suite injects faults, and keeps each
 * answer's time and status (0: no answer within the timeout or the connection failed), so the
 * suite can count non-2xx answers inside and after each fault's window.
 */
export interface Answer {
  api: number;
  at: number;
  status: number;
  ms: number;
  path: string;
}

export interface WindowCount {
  requests: number;
  failed: number;
  /** failed answers by status (0 = no answer) */
  byStatus: Record<string, number>;
}

export class ApiProber {
  readonly answers: Answer[] = [];
  /** bodies of the 5xx answers, for the report */
  readonly errors: Array<{ at: number; api: number; status: number; body: string }> = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    /** a path to ask next (user Top-K, global chart, …) */
    private readonly nextPath: () => string,
    private readonly opts: { perApi?: number; pauseMs?: number; timeoutMs?: number } = {},
  ) {}

  start(): void {
    this.running = true;
    for (const [api, url] of this.urls.entries()) for (let i = 0; i < (this.opts.perApi ?? 2); i++) this.loops.push(this.loop(api, url));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(api: number, base: string): Promise<void> {
    while (this.running) {
      const path = this.nextPath();
      const at = Date.now();
      let status = 0;
      try {
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
        const body = await res.text();
        status = res.status;
        if (status >= 500) this.errors.push({ at, api, status, body: body.slice(0, 300) });
      } catch {
        status = 0;
      }
      this.answers.push({ api, at, status, ms: Date.now() - at, path });
      await new Promise((r) => setTimeout(r, this.opts.pauseMs ?? 100));
    }
  }

  /** Requests sent in [from, to) and how many did not get a 2xx. */
  count(from: number, to: number): WindowCount {
    const c: WindowCount = { requests: 0, failed: 0, byStatus: {} };
    for (const a of this.answers) {
      if (a.at < from || a.at >= to) continue;
      c.requests++;
      if (a.status >= 200 && a.status < 300) continue;
      c.failed++;
      c.byStatus[String(a.status)] = (c.byStatus[String(a.status)] ?? 0) + 1;
    }
    return c;
  }
}

export function formatCount(c: WindowCount): string {
  const pct = c.requests ? ((100 * c.failed) / c.requests).toFixed(2) : '0';
  const kinds = Object.entries(c.byStatus)
    .map(([s, n]) => `${s === '0' ? 'no answer' : s} ×${n}`)
    .join(', ');
  return `${c.failed}/${c.requests} (${pct} %)${kinds ? ` [${kinds}]` : ''}`;
}
