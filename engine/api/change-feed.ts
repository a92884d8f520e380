/**
 * Which answers changed, for `GET /v1/events`. The aggregator (and a GDPR
 * delete) publish the users whose counts changed on the deployment's
 * invalidation channel; the API's cache drops those answers, and this feed
 * tells its followers, coalesced over `coalesceMs` so a busy pipeline sends a
 * few events a second instead of one per batch.
 *
 * An event is `{ seq, users, global, friends }`: the users whose own answers
 * changed, and whether the global and the friends rankings did (they change
 * with every counted listen). `all: true` replaces the user list when it would
 * exceed `maxUsers`, or when messages may have been missed (the Redis
 * subscription reconnected): then every answer may have changed.
 */
export interface ChangeEvent {
  seq: number;
  users: string[];
  global: boolean;
  friends: boolean;
  all?: true;
}

export interface ChangeFeedOptions {
  coalesceMs?: number;
  maxUsers?: number;
}

export class ChangeFeed {
  private readonly followers = new Set<(e: ChangeEvent) => void>();
  private pending: { users: Set<string>; all: boolean } | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private readonly coalesceMs: number;
  private readonly maxUsers: number;

  constructor(opts: ChangeFeedOptions = {}) {
    this.coalesceMs = opts.coalesceMs ?? 100;
    this.maxUsers = opts.maxUsers ?? 1000;
  }

  /** Counts of these users changed (and with them global and friends answers). */
  changed(users: string[]): void {
    const p = this.open();
    if (p.all) return;
    for (const u of users) p.users.add(u);
    if (p.users.size > this.maxUsers) this.everything();
  }

  /** Anything may have changed. */
  everything(): void {
    const p = this.open();
    p.all = true;
    p.users.clear();
  }

  /** Follow the events; returns the unfollow function. */
  follow(fn: (e: ChangeEvent) => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  get followerCount(): number {
    return this.followers.size;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    this.followers.clear();
  }

  private open(): { users: Set<string>; all: boolean } {
    if (!this.pending) {
      this.pending = { users: new Set(), all: false };
      this.timer = setTimeout(() => this.flush(), this.coalesceMs);
    }
    return this.pending;
  }

  private flush(): void {
    const p = this.pending;
    this.pending = null;
    this.timer = undefined;
    if (!p) return;
    const e: ChangeEvent = { seq: ++this.seq, users: [...p.users].sort(), global: true, friends: true, ...(p.all ? { all: true as const } : {}) };
    for (const fn of this.followers) fn(e);
  }
}

/**
 * Feed the change feed from the deployment's invalidation channel on
 * `subscriber` (the connection the cache subscribed with): the cache's own
 * listener runs first, so an answer is dropped before its event goes out.
 */
export function feedFromInvalidations(subscriber: { on(ev: 'message', fn: (channel: string, message: string) => void): unknown; on(ev: 'ready', fn: () => void): unknown; status: string }, channel: string, feed: ChangeFeed): void {
  let everReady = subscriber.status === 'ready';
  subscriber.on('ready', () => {
    if (everReady) feed.everything();
    everReady = true;
  });
  subscriber.on('message', (ch, message) => {
    if (ch !== channel) return;
    try {
      const parsed = JSON.parse(message) as { users?: unknown };
      if (!Array.isArray(parsed.users)) return feed.everything();
      feed.changed(parsed.users.filter((u): u is string => typeof u === 'string'));
    } catch {
      feed.everything();
    }
  });
}
