/**
 * The ingest side `bench soak` and `bench load` share: the real aggregator as a
 * child process on a topic, consumer group and stats key of the run, the
 * workload published as the crawler publishes it (at a steady rate or as fast
 * as possible), the group's lag, and removing the run's topic, group and rows.
 * Lag, verification and cleanup are bench ingest's (bench/ingest.ts).
 */
import { configToEnv } from '../engine/shared/config';
import type { Config } from '../engine/shared/config';
import { ensureTopics } from '../engine/shared/topics';
import { ListenPublisher } from '../engine/crawler/publisher';
import type { ListenEvent } from '../engine/shared/listen-event';
import { startEngine } from './child';
import type { ChildHandle } from './child';
import { sendPaced } from './paced';
import { cleanup, lagOf, verifyCounts } from './ingest';
import type { Clients, IngestResult } from './ingest';
import type { Workload } from './workload';

export interface Pipeline {
  /** the run's config: own listens topic, DLQ topic and consumer group */
  config: Config;
  statsKey: string;
  /** user ids are `${userPrefix}${index}` */
  userPrefix: string;
  aggregator: ChildHandle;
  /** the group's lag (messages published and not committed) and the topic's end offsets */
  lag(): Promise<{ lag: number; end: number }>;
  /** throws when the aggregator exited */
  assertAlive(): void;
  verify(w: Workload): Promise<NonNullable<IngestResult['verification']>>;
  stopAggregator(): Promise<void>;
  /** stops the aggregator, drops the topics, group and stats key and deletes the users' rows */
  remove(w: Workload): Promise<void>;
}

/** Creates the run's topic and starts the aggregator; resolves once the group has its partitions. */
export async function startPipeline(base: Config, clients: Clients, tag: string, name: string, partitions: number): Promise<Pipeline> {
  const topic = `bench.${tag}.${name}.listens`;
  const statsKey = `topk:bench:${tag}:${name}:stats`;
  const userPrefix = `bench-${tag}-${name}-u`;
  const config: Config = { ...base, listensTopic: topic, dlqTopic: `${topic}.dlq`, consumerGroup: `bench-${tag}-${name}`, topicPartitions: partitions };
  await ensureTopics(clients.kafka, config);
  const env = { ...configToEnv(config), TOPK_LOG_LEVEL: 'info', TOPK_AGGREGATOR_STATS_KEY: statsKey };
  const aggregator = startEngine('aggregator', env);
  try {
    await aggregator.ready;
    await aggregator.waitForMsg('partitions assigned', 120_000);
  } catch (err) {
    await aggregator.stop();
    throw err;
  }
  const p: Pipeline = {
    config,
    statsKey,
    userPrefix,
    aggregator,
    lag: () => lagOf(clients.admin, topic, config.consumerGroup),
    assertAlive() {
      const code = aggregator.proc.exitCode ?? aggregator.proc.signalCode;
      if (code !== null) throw new Error(`the aggregator exited (${code}):\n${aggregator.tail()}`);
    },
    verify: (w) => verifyCounts(clients.db, w, userPrefix),
    async stopAggregator() {
      await aggregator.stop();
    },
    async remove(w) {
      await aggregator.stop();
      await cleanup(clients, config, statsKey, w, userPrefix, false);
    },
  };
  return p;
}

/** The v1 event of the workload's k-th listen under `userPrefix`, as the crawler builds it. */
export function workloadEvent(w: Workload, k: number, userPrefix: string, crawlId: string, now: number): ListenEvent {
  const t = w.tracks[w.song[k]!]!;
  return ListenPublisher.toEvent(`${userPrefix}${w.user[k]}`, 'simulator', { listened_at: w.at[k]!, song_id: t.song_id, title: t.title, artist: t.artist, album: t.album }, crawlId, now);
}

export interface PublishProgress {
  /** messages acknowledged by Kafka so far */
  sent: number;
  startedAt: number;
}

/**
 * Publishes every message of the workload (w.order) with the crawler's publisher
 * (idempotent, acks -1, key user_id). With `perSecond`, at that steady rate: each
 * tick (100 ms, bench/paced.ts) sends what the clock says is due, so a slow acknowledgement is
 * caught up in the next tick; without, in chunks of 2 000 as fast as Kafka takes them.
 * `progress.sent` is updated as acknowledgements arrive.
 */
export async function publishWorkload(
  clients: Clients,
  p: Pipeline,
  w: Workload,
  opts: { perSecond?: number; progress?: PublishProgress; crawlId: string },
): Promise<{ published: number; seconds: number }> {
  const publisher = new ListenPublisher(clients.kafka, p.config);
  const progress = opts.progress ?? { sent: 0, startedAt: 0 };
  const t0 = performance.now();
  progress.startedAt = t0;
  progress.sent = 0;
  const total = w.order.length;
  const publish = async (from: number, to: number): Promise<void> => {
    const now = Date.now();
    const events: ListenEvent[] = [];
    for (let j = from; j < to; j++) events.push(workloadEvent(w, w.order[j]!, p.userPrefix, opts.crawlId, now));
    await publisher.publish(events);
    progress.sent = to;
  };
  try {
    if (opts.perSecond) {
      await sendPaced(total, opts.perSecond, publish, { beforeTick: () => p.assertAlive() });
    } else {
      while (progress.sent < total) {
        p.assertAlive();
        await publish(progress.sent, Math.min(total, progress.sent + 2000));
      }
    }
  } finally {
    await publisher.close();
  }
  return { published: total, seconds: (performance.now() - t0) / 1000 };
}

/** Polls the lag until it is 0 (true) or `timeoutSeconds` passed (false). */
export async function waitDrained(p: Pipeline, timeoutSeconds: number, onPoll?: (lag: number) => void): Promise<boolean> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  for (;;) {
    p.assertAlive();
    const { lag } = await p.lag();
    onPoll?.(lag);
    if (lag === 0) return true;
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}
