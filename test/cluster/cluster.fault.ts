/**
 * Cluster fault suite (`npm run test:cluster`): its own 3-node Kafka (KRaft, topics RF 3,
 * min.insync.replicas 2, producers acks=all) and 3-node Cassandra (keyspace RF 3, LOCAL_QUORUM)
 * on 127.0.0.2–127.0.0.4, two aggregators in one consumer group, two API processes, ≥ 100 000
 * simulated listens. While they flow: one Cassandra node SIGKILLed then restarted, then the
 * Kafka broker leading partition 0 SIGKILLed then restarted, then one aggregator SIGKILLed and
 * restarted — each when a fixed share of the listens is committed. Both APIs are queried
 * throughout; non-2xx answers are counted inside each fault's window and after it. After lag 0
 * every (user, day, song) cell and every global (day, song) cell must equal an independent
 * computation from the simulator's generator.
 *
 * Results: printed and written to .cache/cluster-stack/results.json.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { withTimeout } from '../../engine/shared/concurrency';
import { createKafka } from '../../engine/shared/kafka';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { ensureTopics } from '../../engine/shared/topics';
import { migrate } from '../../main/migrate/migrator';
import type { NativeClusterProvider } from '../../main/stack/native-cluster';
import { compareCounts, compareGlobal, comparePlayTotals, expectedCounts, leftIntents, faultsThatTestedNothing, formatMarks, groupBehind, groupProgress, progressReached, total, waitUntil } from '../faults/checks';
import type { FaultMark } from '../faults/checks';
import { EngineProcess } from '../faults/engine-process';
import { ApiProber, formatCount } from './api-prober';
import type { WindowCount } from './api-prober';
import { clusterConfig, clusterDataDir, clusterStack } from './cluster-stack';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const LPD = Number(process.env.TOPK_CLUSTER_LPD ?? 400);
const MIN_LISTENS = Number(process.env.TOPK_CLUSTER_MIN_LISTENS ?? 100_000);
/** how long a killed node stays down before its restart, while listens keep flowing */
const DOWN_MS = Number(process.env.TOPK_CLUSTER_DOWN_MS ?? 20_000);
const SEED = 77;
/** a publish attempt without an answer for this long is abandoned and sent again on a new producer */
const PUBLISH_TIMEOUT_MS = 60_000;
const HUNG = 'publish attempt without an answer';
/**
 * Publishing holds at each of these shares until every listen before it is committed; then the
 * next stretch (to the matching GATES share) is released and the fault lands as soon as the group
 * is seen behind, so it always finds listens published and not yet counted. (A trigger on the
 * committed share alone missed: the aggregators commit a partition's whole fetch at once, up to
 * TOPK_AGGREGATOR_CHUNK listens, so a stretch could be counted before the share was seen.)
 */
const FAULT_AT = [0.2, 0.45, 0.7] as const;
/** … and publishing holds at these shares until the fault is over (then up to the next FAULT_AT, after the last 100 %) */
const GATES = [0.3, 0.55, 0.8] as const;
const tag = randomBytes(3).toString('hex');
const RUN_DIR = join(clusterDataDir(), 'runs', tag);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (msg: string) => console.log(`[cluster ${new Date().toISOString().slice(11, 19)}] ${msg}`);

let provider: NativeClusterProvider;
let config: Config;
let db: CassandraClient;
let kafka: Kafka;
const procs: EngineProcess[] = [];
let pulse: NodeJS.Timeout | undefined;

interface FaultRow {
  fault: string;
  /** share of the planned listens committed when it was injected */
  progress: number;
  outstanding: number;
  downSeconds: number;
  /** from the kill until the consumer group's committed offsets move past their value then */
  ingestResumedSeconds: number;
  /** from the restart until the node answers again */
  backSeconds: number;
  during: WindowCount;
  after: WindowCount;
}

beforeAll(async () => {
  const base = clusterConfig({ TOPK_KEYSPACE: `topk_cluster_${tag}`, TOPK_LISTENS_TOPIC: `listens-${tag}`, TOPK_DLQ_TOPIC: `listens-${tag}.dlq`, TOPK_CONSUMER_GROUP: `agg-${tag}` });
  ({ provider, config } = clusterStack(base));
  const t0 = Date.now();
  await provider.up({ onProgress: (e) => (e.phase === 'wait' ? undefined : say(`[${e.service}] ${e.message}`)) });
  say(`cluster up in ${((Date.now() - t0) / 1000).toFixed(0)} s; run dir ${RUN_DIR}`);
  await migrate(config, log, { onProgress: (m) => say(`[migrate] ${m}`) });
  db = createCassandra(config, log);
  await db.connect();
  kafka = createKafka(config, log, `cluster-suite-${tag}`);
  await ensureTopics(kafka, config);
}, 1_200_000);

afterAll(async () => {
  clearInterval(pulse);
  for (const p of procs) await p.stop().catch(() => undefined);
  await db?.shutdown().catch(() => undefined);
  if (process.env.TOPK_CLUSTER_KEEP_STACK !== '1') await provider?.down({ volumes: true });
}, 300_000);

/** Time (s) from `t0` until the group's committed offsets pass `before`. */
async function committedPast(before: number, t0: number): Promise<number> {
  await waitUntil('committed offsets to move', async () => {
    const p = await groupProgress(kafka, config);
    return p !== undefined && (p.committed > before || (p.lag === 0 && p.end > 0 && p.committed >= p.end));
  }, 600_000, 250);
  return (Date.now() - t0) / 1000;
}

/** The broker id (= node index) leading partition 0 of the listens topic. */
async function leaderOfPartition0(): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const md = await admin.fetchTopicMetadata({ topics: [config.listensTopic] });
    return md.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
  } finally {
    await admin.disconnect();
  }
}

describe('cluster fault suite (3 Kafka brokers, 3 Cassandra nodes, 2 aggregators, 2 APIs)', () => {
  it('Cassandra node, Kafka broker and aggregator SIGKILLed under load: every cell exact, APIs keep answering', async () => {
    // the workload: simulated users until their listens reach the floor (+10 %)
    const to = Date.now() - HOUR;
    const from = to - 6 * DAY;
    const users: string[] = [];
    const events: ListenEvent[] = [];
    while (events.length < MIN_LISTENS * 1.1) {
      const u = `cl-${tag}-${users.length}`;
      users.push(u);
      const seen = new Set<string>();
      for (const l of generateListens(SEED, u, from, to, { listensPerDay: LPD })) {
        const id = `${l.listened_at}\u0000${l.song_id}`;
        if (seen.has(id)) continue;
        seen.add(id);
        events.push({ v: 1, user_id: u, source: 'simulator', ...l, published_at: Date.now() });
      }
    }
    const expected = expectedCounts(events);
    say(`${users.length} users, ${events.length} listens`);

    const apiPorts = [Number(process.env.TOPK_CLUSTER_API_PORT ?? 28181), Number(process.env.TOPK_CLUSTER_API_PORT ?? 28181) + 1];
    const aggs = [0, 1].map((i) => new EngineProcess('aggregator', config, join(RUN_DIR, `aggregator-${i}.log`)));
    const apis = apiPorts.map((port, i) => new EngineProcess('api', { ...config, apiPort: port }, join(RUN_DIR, `api-${i}.log`)));
    procs.push(...aggs, ...apis);
    await Promise.all([...aggs, ...apis].map((p) => p.start()));
    say('2 aggregators and 2 APIs ready');

    let q = 0;
    const prober = new ApiProber(
      apiPorts.map((p) => `http://127.0.0.1:${p}`),
      config.apiToken,
      // mostly user Top-K (each user's answer changes as its listens land), every fifth the global chart
      () => (++q % 5 === 0 ? '/v1/top/tracks?days=1&limit=10' : `/users/${users[q % users.length]}/topk?days=7&k=10`),
    );
    prober.start();
    const t0 = Date.now();

    // publish in chunks, up to a gate that each fault raises once it is over: a node's restart on
    // this machine can outlast the whole ingest, and a fault must find listens still to count.
    // A chunk that fails (no in-sync quorum yet) is sent again.
    let retries = 0;
    let timeouts = 0;
    let published = 0;
    let gate = FAULT_AT[0]! * events.length;
    const publishing = (async () => {
      const newPublisher = () => new ListenPublisher(createKafka(config, log, `cluster-pub-${tag}`), config);
      let pub = newPublisher();
      try {
        for (let i = 0; i < events.length; i += 1000) {
          while (i >= gate) await sleep(200);
          for (;;) {
            // a send can hang on a broker that died under it: give each attempt a minute, then
            // start over with a new producer (a chunk sent twice is deduplicated by the aggregators)
            const attempt = pub.publish(events.slice(i, i + 1000));
            try {
              await withTimeout(attempt, PUBLISH_TIMEOUT_MS, HUNG);
              break;
            } catch (err) {
              retries++;
              if ((err as Error).message !== HUNG) {
                await sleep(1000);
                continue;
              }
              timeouts++;
              say(`publishing listens ${i}–${i + 1000}: no answer in ${PUBLISH_TIMEOUT_MS / 1000} s, sending again with a new producer`);
              attempt.catch(() => undefined);
              void pub.close().catch(() => undefined);
              pub = newPublisher();
            }
          }
          published = Math.min(events.length, i + 1000);
        }
      } finally {
        await pub.close();
      }
    })();
    // one line every 30 s while the suite waits, so a timeout says where it stood
    pulse = setInterval(() => {
      const acknowledged = published; // before the offsets are read: publishing goes on meanwhile
      void groupProgress(kafka, config).then((p) => {
        // the topic can hold more than was acknowledged (a chunk sent again), never less
        const short = p && p.end < acknowledged ? ` — KAFKA HOLDS ${acknowledged - p.end} FEWER LISTENS THAN IT ACKNOWLEDGED` : '';
        say(`published ${published} (gate ${Math.ceil(gate)}), ${p ? `committed ${p.committed}, lag ${p.lag}, end ${p.end}` : 'group progress unavailable'}, producer retries ${retries} (${timeouts} hung)${short}`);
      });
    }, 30_000);

    const rows: FaultRow[] = [];
    const marks: FaultMark[] = [];
    /** everything before the hold at `fraction` committed, then the next stretch released; resolves as soon as the group is behind */
    async function behindAfter(fraction: number, i: number): Promise<{ committed: number; lag: number }> {
      const hold = Math.ceil(fraction * events.length / 1000) * 1000;
      await progressReached(`committed ${fraction * 100} %`, () => groupProgress(kafka, config), (p) => (p.lag === 0 ? p.committed : 0), Math.min(hold, events.length), 900_000, 250);
      gate = GATES[i]! * events.length;
      return groupBehind(kafka, config);
    }

    /** kill with listens outstanding after a share of them is committed, keep it down DOWN_MS, restart; record what the APIs saw */
    async function fault(name: string, fraction: number, kill: () => Promise<void>, restart: () => Promise<void>): Promise<void> {
      const at = await behindAfter(fraction, rows.length);
      const tk = Date.now();
      await kill();
      marks.push({ fault: name, progress: at.committed / events.length, outstanding: at.lag, unit: 'listens published, not committed' });
      say(`${name} at ${at.committed} of ${events.length} committed (${at.lag} published, not committed)`);
      const resumed = committedPast(at.committed, tk);
      await sleep(DOWN_MS);
      const tr = Date.now();
      await restart();
      const back = (Date.now() - tr) / 1000;
      const ingest = await resumed;
      const tb = Date.now();
      // after: from when it is back, as long as it was down, between 20 s and 60 s
      await sleep(Math.min(60_000, Math.max(20_000, tb - tk)));
      // up to the next fault's hold (raised only now, so that fault finds the stretch after it outstanding)
      gate = (FAULT_AT[rows.length + 1] ?? 1) * events.length;
      rows.push({ fault: name, progress: at.committed / events.length, outstanding: at.lag, downSeconds: (tr - tk) / 1000, ingestResumedSeconds: ingest, backSeconds: back, during: prober.count(tk, tb), after: prober.count(tb, Date.now()) });
      say(`${name}: back ${back.toFixed(1)} s after restart, ingest resumed ${ingest.toFixed(1)} s after the kill; non-2xx during ${formatCount(prober.count(tk, tb))}, after ${formatCount(prober.count(tb, Date.now()))}`);
    }

    await fault('Cassandra node SIGKILL (cassandra-2)', FAULT_AT[0], () => provider.stopNode('cassandra-2', 'kill'), () => provider.startNode('cassandra-2'));
    const leader = await leaderOfPartition0();
    await fault(`Kafka broker SIGKILL (kafka-${leader}, leader of partition 0)`, FAULT_AT[1], () => provider.stopNode(`kafka-${leader}`, 'kill'), () => provider.startNode(`kafka-${leader}`));
    await fault('aggregator SIGKILL (1 of 2)', FAULT_AT[2], () => aggs[0]!.kill(), () => aggs[0]!.start());

    await publishing;
    clearInterval(pulse);
    await waitUntil('consumer lag 0', async () => {
      const p = await groupProgress(kafka, config);
      return p !== undefined && p.end >= events.length && p.lag === 0;
    }, 900_000, 1000);
    const ingestSeconds = (Date.now() - t0) / 1000;
    await sleep(3000);
    await prober.stop();

    const days = Array.from({ length: 9 }, (_, i) => new Date(Date.now() + DAY - i * DAY).toISOString().slice(0, 10));
    const user = await compareCounts(db, expected, users, days);
    const global = await compareGlobal(db, expected, days);
    // the play totals (cql/0005, sharded by Kafka partition since cql/0010); reported, not asserted: intents a recovery kept that were not re-verified yet
    const totals = await comparePlayTotals(db, expected, users, days);
    const intents = await leftIntents(db, `${config.consumerGroup}/${config.listensTopic}`, config.topicPartitions);
    const all = prober.count(0, Date.now());
    const result = {
      tag,
      listens: total(expected),
      users: users.length,
      ingestSeconds,
      producerRetries: retries,
      producerTimeouts: timeouts,
      aggregatorCrashes: aggs.map((a) => a.crashes),
      user: { lost: user.lost, double: user.double, samples: user.samples },
      global: { expected: global.expected, stored: global.stored, lost: global.lost, double: global.double, samples: global.samples },
      playTotals: { expected: totals.expected, stored: totals.stored, lost: totals.lost, double: totals.double, samples: totals.samples },
      intentsLeft: intents,
      api: { all, p99ms: p99(prober.answers.map((a) => a.ms)), failed: prober.answers.filter((a) => a.status < 200 || a.status >= 300).map((a) => ({ ...a, at: new Date(a.at).toISOString() })), errors: prober.errors },
      faults: rows,
      marks: formatMarks(marks),
    };
    writeFileSync(join(clusterDataDir(), 'results.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`\nCluster suite (${result.listens} listens, ${users.length} users, ${ingestSeconds.toFixed(0)} s to lag 0, producer chunks re-sent ${retries}):\n`);
    console.log('| fault | at | outstanding | down s | node back s | ingest resumed s | non-2xx during | non-2xx after |\n|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.fault} | ${(r.progress * 100).toFixed(0)} % | ${r.outstanding} | ${r.downSeconds.toFixed(0)} | ${r.backSeconds.toFixed(1)} | ${r.ingestResumedSeconds.toFixed(1)} | ${formatCount(r.during)} | ${formatCount(r.after)} |`);
    console.log(`\nper-user cells: lost ${user.lost}, double ${user.double}; global cells: expected ${global.expected}, stored ${global.stored}, lost ${global.lost}, double ${global.double}; play totals: lost ${totals.lost}, double ${totals.double}; intents left ${intents.pending} (kept ${intents.kept}); API: ${formatCount(all)}, p99 ${result.api.p99ms} ms\n${[...user.samples, ...global.samples, ...totals.samples].join('\n')}`);

    expect(faultsThatTestedNothing(marks, 3)).toEqual([]);
    expect(user.samples).toEqual([]);
    expect(global.samples).toEqual([]);
    expect(totals.samples).toEqual([]);
    for (const r of rows) {
      expect(r.after.failed, `${r.fault}: non-2xx after it was back`).toBe(0);
      expect(r.during.failed / Math.max(1, r.during.requests), `${r.fault}: share of failed requests while down`).toBeLessThanOrEqual(0.01);
    }
  }, 3_600_000);
});

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
}
