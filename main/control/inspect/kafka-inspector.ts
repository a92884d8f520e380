import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Kafka, KafkaMessage as KafkajsMessage } from 'kafkajs';
import type { Logger } from '../../../engine/shared/logger';
import { HttpError, badRequest } from '../../../engine/shared/http-error';
import { intParam } from './inspect-error';
import type { KafkaGroupInfo, KafkaGroupLagInfo, KafkaMessageInfo, KafkaMessagesResult, KafkaOverview } from '../control-wire';

export interface KafkaInspectorOptions {
  kafka: Kafka;
  log?: Logger;
  /** wall-clock limit of one message browse (default 5 s) */
  timeoutMs?: number;
  /** messages per request at most (default 200) */
  maxLimit?: number;
  /** key search window per partition (default 10 000) */
  keyWindow?: number;
  /** concurrent message browses (default 2); more answer 429 */
  maxConcurrent?: number;
}

/** Prefix of the throw-away consumer groups used to read messages (deleted after each read). */
export const INSPECT_GROUP_PREFIX = 'topk-inspect-';

interface Range {
  partition: number;
  start: bigint;
  stop: bigint;
}

/**
 * Read-only views of Kafka: topics with offsets and message counts, consumer
 * groups with lag, and messages of a topic read by a short-lived consumer that
 * never commits (its throw-away group is deleted afterwards).
 */
export class KafkaInspector {
  private readonly admins = new Set<Admin>();
  private running = 0;
  private readonly timeoutMs: number;
  private readonly maxLimit: number;
  private readonly keyWindow: number;
  private readonly maxConcurrent: number;

  constructor(private readonly o: KafkaInspectorOptions) {
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.maxLimit = o.maxLimit ?? 200;
    this.keyWindow = o.keyWindow ?? 10_000;
    this.maxConcurrent = o.maxConcurrent ?? 2;
  }

  overview(): Promise<KafkaOverview> {
    return this.withAdmin((admin) => this.overviewWith(admin));
  }

  private async overviewWith(admin: Admin): Promise<KafkaOverview> {
    const meta = await admin.fetchTopicMetadata();
    const visible = meta.topics.filter((t) => !t.name.startsWith('__')).sort((a, b) => a.name.localeCompare(b.name));
    if (!visible.length) return { topics: [], groups: [] };
    const offsets = new Map<string, Map<number, { low: string; high: string }>>();
    await mapLimit(visible, 8, async (t) => {
      try {
        const o = await admin.fetchTopicOffsets(t.name);
        offsets.set(t.name, new Map(o.map((p) => [p.partition, { low: p.low, high: p.high }])));
      } catch (err) {
        // deleted since the metadata was read (tests come and go): leave it out
        this.o.log?.debug({ err, topic: t.name }, 'inspect: topic offsets unavailable');
      }
    });

    const listed = (await admin.listGroups()).groups.filter((g) => !g.groupId.startsWith(INSPECT_GROUP_PREFIX)).map((g) => g.groupId);
    const described = listed.length ? (await admin.describeGroups(listed)).groups : [];
    const groups: KafkaGroupInfo[] = [];
    const topicLag = new Map<string, number>();
    await mapLimit(described, 8, async (g) => {
      const committed = await admin.fetchOffsets({ groupId: g.groupId }).catch(() => null);
      if (!committed) return; // gone since it was listed
      const lag: KafkaGroupLagInfo[] = [];
      for (const t of committed) {
        const parts = offsets.get(t.topic);
        if (!parts) continue;
        for (const p of t.partitions) {
          const o = parts.get(p.partition);
          if (!o) continue;
          const c = Number(p.offset) >= 0 ? p.offset : null;
          const l = Math.max(0, Number(o.high) - Number(c ?? o.low));
          lag.push({ topic: t.topic, partition: p.partition, committed: c, end_offset: o.high, lag: l });
          topicLag.set(t.topic, (topicLag.get(t.topic) ?? 0) + l);
        }
      }
      lag.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      groups.push({ group_id: g.groupId, state: g.state, members: g.members.length, lag, total_lag: lag.reduce((s, x) => s + x.lag, 0) });
    });
    groups.sort((a, b) => a.group_id.localeCompare(b.group_id));

    const topics = visible.filter((t) => offsets.has(t.name)).map((t) => {
      const o = offsets.get(t.name)!;
      const partitions = [...t.partitions]
        .sort((a, b) => a.partitionId - b.partitionId)
        .map((p) => {
          const off = o.get(p.partitionId) ?? { low: '0', high: '0' };
          return {
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            start_offset: off.low,
            end_offset: off.high,
            messages: Math.max(0, Number(off.high) - Number(off.low)),
          };
        });
      return {
        name: t.name,
        partitions,
        replication_factor: t.partitions[0]?.replicas.length ?? 0,
        messages: partitions.reduce((s, p) => s + p.messages, 0),
        ...(topicLag.has(t.name) ? { lag: topicLag.get(t.name)! } : {}),
      };
    });
    return { topics, groups };
  }

  /**
   * Messages of `topic` from the newest, an offset or a time, in one
   * partition or all; `key` keeps only messages with that key, searching a
   * bounded window per partition. Never commits.
   */
  async messages(topic: string, params: URLSearchParams): Promise<KafkaMessagesResult> {
    if (this.running >= this.maxConcurrent) throw new HttpError(429, 'busy', 'other message reads are running; try again in a moment');
    this.running++;
    try {
      return await this.withAdmin((admin) => this.messagesWith(admin, topic, params));
    } finally {
      this.running--;
    }
  }

  private async messagesWith(admin: Admin, topic: string, params: URLSearchParams): Promise<KafkaMessagesResult> {
    const limit = intParam(params, 'limit', 1, this.maxLimit, 50);
    const partitionParam = params.get('partition');
    const partition = partitionParam === null || partitionParam === '' || partitionParam === 'all' ? undefined : intParam(params, 'partition', 0, 1_000_000, 0);
    const offsetParam = params.get('offset') ?? '';
    const tsParam = params.get('timestamp') ?? '';
    const from = params.get('from') || (offsetParam ? 'offset' : tsParam ? 'timestamp' : 'newest');
    if (from !== 'newest' && from !== 'offset' && from !== 'timestamp') throw badRequest('invalid_from', 'from must be newest, offset or timestamp', 'from');
    const key = params.get('key') ?? '';
    if (key.length > 1024) throw badRequest('invalid_key', 'key must be at most 1024 characters', 'key');
    let offset: bigint | undefined;
    if (from === 'offset') {
      if (!/^\d{1,19}$/.test(offsetParam)) throw badRequest('invalid_offset', `offset must be a whole number ≥ 0, got ${JSON.stringify(offsetParam)}`, 'offset');
      offset = BigInt(offsetParam);
    }
    let ts: number | undefined;
    if (from === 'timestamp') {
      ts = /^\d+$/.test(tsParam) ? Number(tsParam) : Date.parse(tsParam);
      if (!tsParam || !Number.isFinite(ts)) throw badRequest('invalid_timestamp', 'timestamp must be an ISO time or milliseconds since the epoch', 'timestamp');
    }

    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw badRequest('unknown_topic', `there is no topic "${topic}"`, 'topic');
    const offsets = await admin.fetchTopicOffsets(topic);
    const partitions = offsets.map((p) => p.partition).sort((a, b) => a - b);
    if (partition !== undefined && !partitions.includes(partition)) {
      throw badRequest('unknown_partition', `topic "${topic}" has partitions ${partitions[0]}–${partitions[partitions.length - 1]}, not ${partition}`, 'partition');
    }
    const window = BigInt(key ? this.keyWindow : limit);
    const byTime = ts !== undefined ? new Map((await admin.fetchTopicOffsetsByTimestamp(topic, ts)).map((p) => [p.partition, BigInt(p.offset)])) : undefined;
    const ranges: Range[] = [];
    for (const p of offsets) {
      if (partition !== undefined && p.partition !== partition) continue;
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      let start: bigint;
      if (from === 'newest') start = high - window > low ? high - window : low;
      else if (from === 'offset') {
        if (partition !== undefined && (offset! < low || offset! > high)) {
          throw badRequest('offset_out_of_range', `offset ${offset} is outside partition ${partition} of "${topic}": its messages are at offsets ${low}–${high > low ? high - 1n : low} (end ${high})`, 'offset');
        }
        start = offset! < low ? low : offset!;
      } else start = byTime!.get(p.partition) ?? high;
      const stop = from === 'newest' ? high : start + window < high ? start + window : high;
      if (start < stop) ranges.push({ partition: p.partition, start, stop });
    }

    const note = key ? `searched the ${this.keyWindow.toLocaleString('en')} ${from === 'newest' ? 'newest' : 'first'} messages of each partition for key "${key}"` : undefined;
    const result = ranges.length ? await this.read(admin, topic, ranges, partitions, key || undefined) : { messages: [] as KafkaMessageInfo[], timedOut: false };
    let msgs = result.messages;
    if (from === 'newest') {
      msgs.sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || b.partition - a.partition || Number(BigInt(b.offset) - BigInt(a.offset)));
    } else {
      msgs.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    }
    msgs = msgs.slice(0, limit);
    return {
      messages: msgs,
      ...(key ? { searched_per_partition: this.keyWindow, note } : {}),
      ...(result.timedOut ? { timed_out: true } : {}),
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.admins].map((a) => a.disconnect().catch(() => undefined)));
    this.admins.clear();
  }

  /**
   * A fresh admin per request: kafkajs keeps every topic an admin ever looked
   * at in its metadata set, and once one of them is deleted (tests create and
   * delete topics all the time) each later call of that admin fails.
   */
  private async withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.o.kafka.admin({ retry: { retries: 2 } });
    this.admins.add(admin);
    try {
      await admin.connect();
      return await fn(admin);
    } finally {
      this.admins.delete(admin);
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Reads each range with a throw-away consumer; at most `timeoutMs`. */
  private async read(admin: Admin, topic: string, ranges: Range[], all: number[], key: string | undefined): Promise<{ messages: KafkaMessageInfo[]; timedOut: boolean }> {
    const groupId = `${INSPECT_GROUP_PREFIX}${randomBytes(6).toString('hex')}`;
    const consumer: Consumer = this.o.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 250,
      retry: { retries: 1 },
    });
    const want = new Map(ranges.map((r) => [r.partition, r]));
    const out = new Map<number, KafkaMessageInfo[]>();
    const done = new Set<number>();
    let finish!: (timedOut: boolean) => void;
    const finished = new Promise<boolean>((resolve) => (finish = resolve));
    const timer = setTimeout(() => finish(true), this.timeoutMs);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          const r = want.get(batch.partition);
          if (!r || done.has(r.partition)) return;
          const list = out.get(r.partition) ?? [];
          out.set(r.partition, list);
          for (const m of batch.messages) {
            const off = BigInt(m.offset);
            if (off < r.start) continue;
            if (off >= r.stop) break;
            if (key === undefined || m.key?.toString('utf8') === key) list.push(toMessage(batch.partition, m));
          }
          const lastOff = batch.messages.length ? BigInt(batch.messages[batch.messages.length - 1]!.offset) : -1n;
          if (lastOff + 1n >= r.stop || BigInt(batch.highWatermark) <= lastOff + 1n) {
            done.add(r.partition);
            consumer.pause([{ topic, partitions: [r.partition] }]);
            if (done.size === want.size) finish(false);
          }
        },
      });
      const others = all.filter((p) => !want.has(p));
      if (others.length) consumer.pause([{ topic, partitions: others }]);
      for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: r.start.toString() });
      const timedOut = await finished;
      const messages: KafkaMessageInfo[] = [];
      for (const list of out.values()) messages.push(...list);
      return { messages, timedOut };
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch((err: unknown) => this.o.log?.warn({ err }, 'inspect consumer disconnect failed'));
      // the group never committed; remove it so it does not pile up in the group list
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }
}

function toMessage(partition: number, m: KafkajsMessage): KafkaMessageInfo {
  const headers = decodeHeaders(m.headers);
  const value = decodeValue(m.value);
  const ts = Number(m.timestamp);
  return {
    partition,
    offset: m.offset,
    timestamp: new Date(Number.isFinite(ts) ? ts : 0).toISOString(),
    key: m.key === null || m.key === undefined ? null : m.key.toString('utf8'),
    headers,
    value,
    ...(headers.reason !== undefined ? { reason: headers.reason } : {}),
  };
}

function decodeHeaders(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    const one = (x: Buffer | string): string => (typeof x === 'string' ? x : x.toString('utf8'));
    out[k] = Array.isArray(v) ? v.map(one).join(', ') : one(v);
  }
  return out;
}

const MAX_VALUE_BYTES = 64 * 1024;

/** JSON when the value parses, else text (or hex when it is not UTF-8); long values are cut. */
function decodeValue(buf: Buffer | null): unknown {
  if (buf === null) return null;
  const cut = buf.length > MAX_VALUE_BYTES;
  const b = cut ? buf.subarray(0, MAX_VALUE_BYTES) : buf;
  const text = b.toString('utf8');
  if (!cut) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      /* not JSON */
    }
  }
  if (Buffer.from(text, 'utf8').equals(b)) return cut ? `${text}… (${buf.length} bytes)` : text;
  return `0x${b.toString('hex')}${cut ? '…' : ''}`;
}

async function mapLimit<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}
