/**
 * Fault suite: every case ingests ≥ 100 000 simulated listens while a fault
 * is injected, then checks every user's counts (each (user, day, song) cell)
 * against an independent computation from the simulator's deterministic
 * generator (or the ListenBrainz fake's data), deduped by identity.
 *
 * Runs on its OWN native stack (ports 17092/17042/17379, data in
 * .cache/fault-stack), never on the shared dev stack. `npm run test:faults`.
 * Results: printed as a table and written to .cache/fault-stack/results.json.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import cassandraDriver from 'cassandra-driver';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ListenWriter } from '../../engine/aggregator/listen-writer';
import { CrawlService } from '../../engine/crawler/crawl-service';
import { ListenPublisher } from '../../engine/crawler/publisher';
import { createSources } from '../../engine/crawler/sources/registry';
import { generateListens } from '../../engine/crawler/sources/simulator';
import { mulberry32 } from '../../engine/crawler/sources/simulator-catalogue';
import { createCassandra } from '../../engine/shared/cassandra';
import type { CassandraClient } from '../../engine/shared/cassandra';
import type { Config } from '../../engine/shared/config';
import { SecretBox } from '../../engine/shared/crypto';
import { createKafka } from '../../engine/shared/kafka';
import type { ListenEvent } from '../../engine/shared/listen-event';
import { createRedis } from '../../engine/shared/redis';
import { RankedSets } from '../../engine/shared/ranked-sets';
import { ensureTopics } from '../../engine/shared/topics';
import { createStore } from '../../engine/shared/store/store';
import { migrate } from '../../main/migrate/migrator';
import { ListenBrainzFake } from '../fakes/listenbrainz-fake';
import type { FakeListen } from '../fakes/listenbrainz-fake';
import { compareCounts, compareGlobal, expectedCounts, groupBehind, faultsThatTestedNothing, formatMarks, formatTable, groupProgress, missingDayUsers, progressReached, PROGRESS_POINTS, recordResult, topicSize, total, waitUntil } from './checks';
import type { CaseResult, Counts, FaultMark, Identity } from './checks';
import { EngineProcess } from './engine-process';
import { faultConfig, faultDataDir, FaultStack } from './fault-stack';

const { TimeUuid } = cassandraDriver.types;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const SEED = Number(process.env.TOPK_FAULT_SEED ?? Math.floor(Math.random() * 1e9));
const rand = mulberry32(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** simulator listens_per_day; a user's hour holds only ~18 back-to-back tracks, so 400 yields ≈ 290 a day */
const LPD = Number(process.env.TOPK_FAULT_LPD ?? 400);
/** the issue's floor: every case ingests at least this many distinct listens */
const MIN_LISTENS = Number(process.env.TOPK_FAULT_MIN_LISTENS ?? 100_000);
/** what a case is sized for: users are added until their listens reach this (floor + 15 %) */
const TARGET_LISTENS = Number(process.env.TOPK_FAULT_TARGET_LISTENS ?? Math.ceil(MIN_LISTENS * 1.15));
/** fixed number of simulated users per case instead of sizing to TARGET_LISTENS (debug runs) */
const FIXED_USERS = process.env.TOPK_FAULT_USERS ? Number(process.env.TOPK_FAULT_USERS) : undefined;

const tag = randomBytes(3).toString('hex');
const RUN_DIR = join(faultDataDir(), 'runs', tag);
const RESULTS = join(faultDataDir(), 'results.json');
const results: CaseResult[] = [];
/** every case's expected counts, for the global check at the end */
const allExpected: Counts = new Map();
const allSeen = new Set<string>();

let stack: FaultStack;
let base: Config;
let db: CassandraClient;
let kafka: Kafka;
let redis: Redis;
const procs: EngineProcess[] = [];

function say(msg: string): void {
  console.log(`[faults ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

function caseConfig(name: string, env: Record<string, string> = {}): Config {
  return faultConfig({
    TOPK_KEYSPACE: base.keyspace,
    TOPK_LISTENS_TOPIC: `listens-${name}-${tag}`,
    TOPK_DLQ_TOPIC: `listens-${name}-${tag}.dlq`,
    TOPK_CONSUMER_GROUP: `agg-${name}-${tag}`,
    ...env,
  });
}

function engine(name: 'aggregator' | 'crawler', config: Config, caseName: string): EngineProcess {
  const p = new EngineProcess(name, config, join(RUN_DIR, `${caseName}-${name}.log`));
  procs.push(p);
  return p;
}

const days = (): string[] => Array.from({ length: 9 }, (_, i) => new Date(Date.now() + DAY - i * DAY).toISOString().slice(0, 10));

/**
 * The checks of every case: each planned fault found outstanding work, and every (user, day, song)
 * count equals the independent expectation.
 */
async function finish(r: Omit<CaseResult, 'lost' | 'double' | 'listens'>, faults: { marks: FaultMark[]; planned: number }, expected: Counts, users: string[], config: Config): Promise<CaseResult> {
  const diff = await compareCounts(db, expected, users, days());
  const dlq = await topicSize(kafka, config.dlqTopic);
  const row: CaseResult = { ...r, listens: total(expected), lost: diff.lost, double: diff.double, notes: `${formatMarks(faults.marks)}; ${r.notes}${dlq ? `; DLQ ${dlq}` : '; DLQ 0'}` };
  results.push(row);
  recordResult(RESULTS, row);
  expectedCounts(flatten(expected), allExpected, allSeen);
  say(`${r.case}: ${row.listens} listens, lost ${row.lost}, double ${row.double}, recovery ${r.recoverySeconds.map((s) => s.toFixed(1)).join('/')} s${diff.samples.length ? `\n  ${diff.samples.join('\n  ')}` : ''}`);
  expect(faultsThatTestedNothing(faults.marks, faults.planned)).toEqual([]);
  expect(diff.samples).toEqual([]);
  expect(row.listens).toBeGreaterThanOrEqual(MIN_LISTENS);
  expect(dlq ?? 0).toBe(0);
  return row;
}

/** Counts → identities again (one per play), so the global expectation can be accumulated across cases. */
function* flatten(c: Counts): Iterable<Identity> {
  let i = 0;
  for (const [u, ds] of c) for (const [d, songs] of ds) for (const [s, n] of songs) for (let k = 0; k < n; k++) yield { user_id: u, source: `x${i++}`, listened_at: Date.parse(d), song_id: s };
}

/** Distinct listen identities the simulator yields for one user in [from, to) (the generator rarely repeats one, but the check dedupes). */
function distinctListens(seed: number, user: string, from: number, to: number): number {
  return new Set(generateListens(seed, user, from, to, { listensPerDay: LPD }).map((l) => `${l.listened_at}\u0000${l.song_id}`)).size;
}

/**
 * The case's simulated users: as many as it takes for their listens in [from, to) to reach
 * TARGET_LISTENS (the generator saturates, so users × days × LPD overestimates), or FIXED_USERS.
 */
function sizedUsers(prefix: string, seed: number, from: number, to: number): { users: string[]; planned: number } {
  const users: string[] = [];
  let n = 0;
  while (FIXED_USERS !== undefined ? users.length < FIXED_USERS : n < TARGET_LISTENS) {
    const u = `${prefix}-${tag}-${users.length}`;
    n += distinctListens(seed, u, from, to);
    users.push(u);
  }
  say(`${prefix}: ${users.length} users, ${n} listens planned`);
  return { users, planned: n };
}

/** Simulated listens of the case's users in [from, to), as listen events. */
function simulatedEvents(users: string[], seed: number, from: number, to: number): ListenEvent[] {
  const now = Date.now();
  return users.flatMap((u) => generateListens(seed, u, from, to, { listensPerDay: LPD }).map((l) => ({ v: 1 as const, user_id: u, source: 'simulator', ...l, published_at: now })));
}

const PUBLISH_CHUNK = 2000;

/**
 * Publishes in chunks; a chunk that fails (broker down) is sent again, as the crawler's retry would.
 * With `gate`, a chunk starting at or past `gate()` waits until the gate is raised.
 */
async function publishAll(config: Config, events: ListenEvent[], onRetry: () => void = () => undefined, gate: () => number = () => Infinity): Promise<void> {
  const pub = new ListenPublisher(createKafka(config, log, `fault-pub-${tag}`), config);
  try {
    for (let i = 0; i < events.length; i += PUBLISH_CHUNK) {
      while (i >= gate()) await sleep(100);
      for (;;) {
        try {
          await pub.publish(events.slice(i, i + PUBLISH_CHUNK));
          break;
        } catch {
          onRetry();
          await pub.close();
          await sleep(1000);
        }
      }
    }
  } finally {
    await pub.close();
  }
}

/** Time (s) from `t0` until the group's committed offsets pass `before` (or nothing was left to consume). */
async function progressAfter(config: Config, before: number, t0: number, timeoutMs = 300_000): Promise<number> {
  await waitUntil(
    'consumer progress after the fault',
    async () => {
      const p = await groupProgress(kafka, config);
      return p !== undefined && (p.committed > before || (p.lag === 0 && p.end === before));
    },
    timeoutMs,
    250,
  );
  return (Date.now() - t0) / 1000;
}

async function lag0(config: Config, timeoutMs = 600_000): Promise<void> {
  await waitUntil('consumer lag 0', async () => {
    const p = await groupProgress(kafka, config);
    return p !== undefined && p.end > 0 && p.lag === 0;
  }, timeoutMs, 1000);
}

/** Waits until the group has committed `fraction` of `planned` messages; the group's progress then. */
function committedReached(config: Config, fraction: number, planned: number): Promise<{ committed: number; lag: number; end: number }> {
  return progressReached(`committed offsets (${fraction * 100} % of ${planned})`, () => groupProgress(kafka, config), (p) => p.committed, fraction * planned);
}

/** Waits until the case's crawls have published `fraction` of `planned` listens; the number published then. */
function publishedReached(config: Config, fraction: number, planned: number): Promise<number> {
  return progressReached(`published listens (${fraction * 100} % of ${planned})`, () => topicSize(kafka, config.listensTopic), (n) => n, fraction * planned);
}

/** Connect a simulator source per user starting at cursor `from`, with a long interval (one crawl each). */
async function connectSimulator(service: CrawlService, users: string[], seed: number, from: number): Promise<void> {
  for (const u of users) {
    await service.connectSource(u, 'simulator', { seed, listens_per_day: LPD });
    await service.store.crawls.updateSchedule(u, 'simulator', { cursor: String(from), interval_seconds: 86_400, next_run_at: new Date() });
  }
}

interface CrawlSnapshot {
  /** crawl id → pages published so far */
  running: Map<string, number>;
  /** crawls created but not started (their BullMQ job waits in Redis) */
  queued: Set<string>;
  done: number;
}

async function crawlSnapshot(service: CrawlService, users: string[], source: string): Promise<CrawlSnapshot> {
  const running = new Map<string, number>();
  const queued = new Set<string>();
  let done = 0;
  await Promise.all(
    users.map(async (u) => {
      const s = await service.store.crawls.getSchedule(u, source);
      if (!s?.last_crawl_id) return;
      const c = await service.store.crawls.getCrawl(s.last_crawl_id);
      if (c?.state === 'done' && s.state === 'idle') done++;
      else if (c?.state === 'running') running.set(c.crawl_id, c.pages);
      else if (c?.state === 'queued') queued.add(c.crawl_id);
    }),
  );
  return { running, queued, done };
}

/** Seconds from t0 until one of the crawls that were waiting in the queue at the fault starts. */
async function queuedCrawlStarted(service: CrawlService, queued: Set<string>, t0: number, timeoutMs = 400_000): Promise<number> {
  await waitUntil('a crawl that was queued at the fault to start', async () => {
    for (const id of queued) if ((await service.store.crawls.getCrawl(id))?.state !== 'queued') return true;
    return queued.size === 0;
  }, timeoutMs, 250);
  return (Date.now() - t0) / 1000;
}

/** Seconds from t0 until every crawl that was running at the fault made progress (a new page, or finished). */
async function crawlsProgressed(service: CrawlService, was: Map<string, number>, t0: number, timeoutMs = 400_000): Promise<number> {
  await waitUntil('the interrupted crawls to move again', async () => {
    for (const [id, pages] of was) {
      const c = await service.store.crawls.getCrawl(id);
      if (!c || (c.state !== 'done' && c.pages <= pages)) return false;
    }
    return true;
  }, timeoutMs, 500);
  return (Date.now() - t0) / 1000;
}

async function allCrawled(service: CrawlService, users: string[], source: string, timeoutMs = 900_000): Promise<void> {
  await waitUntil(`every ${source} crawl done`, async () => (await crawlSnapshot(service, users, source)).done === users.length, timeoutMs, 2000);
  for (const u of users) await service.store.crawls.updateSchedule(u, source, { paused: true });
}

function crawlService(config: Config): CrawlService {
  return new CrawlService({ cassandra: db, redis, kafka, config, log, sources: createSources(config), secrets: SecretBox.fromDataDir(config.dataDir) });
}

/**
 * An ingest case's set-up: its config and topics, users sized to the listen target, their simulated
 * events of the 6 days before the last hour, the counts those must come to, and its aggregator
 * (not started: a case starts it before or after it publishes).
 */
async function ingestCase(name: string, prefix: string, seed: number) {
  const config = caseConfig(name);
  await ensureTopics(kafka, config);
  const to = Date.now() - HOUR;
  const { users } = sizedUsers(prefix, seed, to - 6 * DAY, to);
  const events = simulatedEvents(users, seed, to - 6 * DAY, to);
  return { config, users, events, expected: expectedCounts(events), agg: engine('aggregator', config, name) };
}

/**
 * A crawl case's set-up: its config and topics, users sized to the listen target with a simulator
 * source each (cursor 6 days back, one crawl each), and its aggregator and crawler, started;
 * `t0` is when they were asked to start.
 */
async function crawlCase(name: string, prefix: string, seed: number) {
  const config = caseConfig(name);
  await ensureTopics(kafka, config);
  const service = crawlService(config);
  const from = Date.now() - 6 * DAY;
  // the crawls run up to their own start time, so the listens up to now are a lower bound
  const { users, planned } = sizedUsers(prefix, seed, from, Date.now());
  await connectSimulator(service, users, seed, from);
  const t0 = Date.now();
  const agg = engine('aggregator', config, name);
  const crawler = engine('crawler', config, name);
  await Promise.all([agg.start(), crawler.start()]);
  return { config, service, from, users, planned, t0, agg, crawler };
}

/**
 * Restarts a service of the stack (SIGTERM, then start) once `fraction` of a case's planned listens
 * are committed: the fault's mark, and the seconds from the stop until the committed offsets pass
 * where they stood when the service answered again.
 */
async function restartMidIngest(service: 'kafka' | 'cassandra', config: Config, planned: number, fraction: number): Promise<{ marks: FaultMark[]; recovery: number[] }> {
  const name = service === 'kafka' ? 'Kafka' : 'Cassandra';
  const at = await committedReached(config, fraction, planned);
  const tk = Date.now();
  const marks: FaultMark[] = [{ fault: `${name} restart`, progress: at.committed / planned, outstanding: at.lag, unit: 'listens published, not committed' }];
  say(`restarting ${name} at committed offset ${at.committed} of ${planned} planned (${at.lag} published, not committed)`);
  await stack.stop(service, 'term');
  await stack.start();
  say(`${name} back after ${((Date.now() - tk) / 1000).toFixed(1)} s`);
  // batches finished while the service was stopping may still commit: measure from where it stood when back
  const stuck = (await waitUntil('committed offsets readable', () => groupProgress(kafka, config), 120_000, 500)).committed;
  return { marks, recovery: [await progressAfter(config, stuck, tk)] };
}

/** What a crawl case's users must count to: each one's simulated listens from `from` up to the cursor its crawl saved. */
async function crawledCounts(service: CrawlService, users: string[], seed: number, from: number): Promise<Counts> {
  const listens = await Promise.all(
    users.map(async (u) => {
      const cursor = Number((await service.store.crawls.getSchedule(u, 'simulator'))!.cursor);
      return generateListens(seed, u, from, cursor, { listensPerDay: LPD }).map((l) => ({ ...l, user_id: u, source: 'simulator' }));
    }),
  );
  return expectedCounts(listens.flat());
}

beforeAll(async () => {
  say(`seed ${SEED} (TOPK_FAULT_SEED=${SEED} reproduces the ListenBrainz case's listens; faults land at fixed shares of each case's listens), run dir ${RUN_DIR}`);
  base = faultConfig({ TOPK_KEYSPACE: `topk_faults_${tag}` });
  stack = new FaultStack(base);
  const t0 = Date.now();
  await stack.up(say);
  say(`private stack up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await migrate(base, log);
  db = createCassandra(base, log);
  await db.connect();
  kafka = createKafka(base, log, `fault-suite-${tag}`);
  redis = createRedis(base, log);
  redis.on('error', () => undefined); // the Redis case kills the server under it; ioredis reconnects
}, 900_000);

afterAll(async () => {
  for (const p of procs) await p.stop().catch(() => undefined);
  if (results.length) console.log(`\nFault suite results (seed ${SEED}):\n\n${formatTable(results)}\n`);
  await redis?.quit().catch(() => undefined);
  await db?.shutdown().catch(() => undefined);
  if (process.env.TOPK_FAULT_KEEP_STACK !== '1') {
    await stack?.down();
    rmSync(join(faultDataDir(), 'native', 'redis'), { recursive: true, force: true });
  }
}, 300_000);

describe('fault suite (private native stack)', () => {
  // one aggregator at a time: aggregator_intents is keyed by Kafka partition only, so a live
  // aggregator of an earlier (failed) case would recover the intents of this case's aggregator
  beforeEach(async () => {
    for (const p of procs) await p.stop().catch(() => undefined);
  }, 120_000);

  it('aggregator SIGKILLed at 15, 40, 65 and 90 % of the planned listens', async () => {
    const { config, users, events, expected, agg } = await ingestCase('aggkill', 'fa-agg', 11);
    const t0 = Date.now();
    // Publishing holds at each kill's share until that kill has landed: with every listen published
    // at once, a restarted aggregator can commit from below 90 % to the end between two looks, and
    // the last kill would find nothing left to count. Each kill waits until the share is committed,
    // releases the next stretch and lands as soon as the group is behind.
    const holdAt = (share: number) => Math.min(events.length, Math.ceil((share * events.length) / PUBLISH_CHUNK) * PUBLISH_CHUNK);
    let gate = holdAt(PROGRESS_POINTS[0]);
    const publishing = publishAll(config, events, undefined, () => gate);
    await agg.start();
    const recovery: number[] = [];
    const marks: FaultMark[] = [];
    const kills = PROGRESS_POINTS.length;
    for (const [k, point] of PROGRESS_POINTS.entries()) {
      await progressReached(`committed offsets (${gate} of ${events.length}, ${point * 100} %)`, () => groupProgress(kafka, config), (p) => p.committed, gate);
      gate = holdAt(PROGRESS_POINTS[k + 1] ?? 1);
      await groupBehind(kafka, config);
      await agg.kill();
      const tk = Date.now();
      // what the dead process left: listens published (so far) and not committed
      const at = await waitUntil('group offsets', () => groupProgress(kafka, config), 60_000, 250);
      const fault = `aggregator SIGKILL ${k + 1}/${kills}`;
      marks.push({ fault, progress: at.committed / events.length, outstanding: at.lag, unit: 'listens published, not committed' });
      say(`${fault} at committed offset ${at.committed} of ${events.length} planned (${at.lag} published, not committed)`);
      void agg.start();
      recovery.push(await progressAfter(config, at.committed, tk));
    }
    await publishing;
    await lag0(config);
    await agg.stop();
    await finish({ case: `Aggregator SIGKILL ×${kills} at 15/40/65/90 % of the listens`, recoverySeconds: recovery, totalSeconds: (Date.now() - t0) / 1000, notes: `restart until offsets advance (consumer-group rebalance ≤ 30 s session timeout); unexpected exits ${agg.crashes}` }, { marks, planned: kills }, expected, users, config);
  }, 900_000);

  it('crawler SIGKILLed mid-crawl (cursor never skips unacknowledged listens)', async () => {
    const { config, service, from, users, planned, t0, agg, crawler } = await crawlCase('crawlkill', 'fa-crawl', 22);
    // the second kill hits the restarted crawler while it works on other crawls and the first kill's
    // crawls still wait for BullMQ's stalled-job check (the crawls run faster than that check)
    const pending: Array<Promise<number>> = [];
    const points = [PROGRESS_POINTS[0], PROGRESS_POINTS[2]];
    const marks: FaultMark[] = [];
    /** crawls the previous kill left interrupted, with their pages at that moment */
    let left = new Map<string, number>();
    let missed = 0;
    for (const [k, point] of points.entries()) {
      const published = await publishedReached(config, point, planned);
      // crawls this crawler process is working on: running, and not an untouched leftover of the previous kill
      const workingNow = async () => [...(await crawlSnapshot(service, users, 'simulator')).running].filter(([id, pages]) => left.get(id) !== pages).map(([id]) => id);
      const fault = `crawler SIGKILL ${k + 1}/${points.length}`;
      // a simulator crawl can finish between the look and the kill: a kill that interrupted nothing is
      // tried again (up to 3 times) at the next crawl seen running, so the recorded fault tests something
      for (let attempt = 1; ; attempt++) {
        const working = await waitUntil('crawls of this crawler process running', async () => ((await workingNow()).length ? workingNow() : undefined), 60_000, 100).catch((): string[] => []);
        await crawler.kill();
        const tk = Date.now();
        // pages published up to the kill count as before it: snapshot once the crawler is dead
        // (and its last in-flight Cassandra writes have landed)
        await sleep(500);
        const snap = await crawlSnapshot(service, users, 'simulator');
        const interrupted = new Map([...snap.running].filter(([id]) => working.includes(id)));
        left = snap.running;
        if (interrupted.size === 0 && attempt < 3) {
          missed++;
          say(`${fault}: attempt ${attempt} found its crawls already finished (${snap.done} done); again at the next running crawl`);
          await crawler.start();
          continue;
        }
        marks.push({ fault, progress: published / planned, outstanding: interrupted.size, unit: 'crawls of the killed process running' });
        say(`${fault} at ${published} of ${planned} planned listens published, with ${interrupted.size} of its crawls running (${snap.running.size} running in all), ${snap.done} done`);
        if (interrupted.size > 0) pending.push(crawlsProgressed(service, interrupted, tk));
        break;
      }
      await crawler.start();
    }
    const recovery = await Promise.all(pending);
    await allCrawled(service, users, 'simulator');
    const expected = await crawledCounts(service, users, 22, from);
    await lag0(config);
    await Promise.all([crawler.stop(), agg.stop()]);
    await service.close();
    await finish({ case: `Crawler SIGKILL ×${recovery.length} mid-crawl at 15/65 % of the listens`, recoverySeconds: recovery, totalSeconds: (Date.now() - t0) / 1000, notes: `until every crawl the killed process was running publishes again (BullMQ stalled-job recovery, lock 60 s); resumes from the saved cursor; kills that found their crawls already finished and were repeated: ${missed}` }, { marks, planned: points.length }, expected, users, config);
  }, 1_200_000);

  it('Kafka broker restarted during ingest', async () => {
    const { config, users, events, expected, agg } = await ingestCase('kafka', 'fa-kafka', 33);
    const t0 = Date.now();
    await agg.start();
    let retries = 0;
    const publishing = publishAll(config, events, () => retries++);
    const { marks, recovery } = await restartMidIngest('kafka', config, events.length, PROGRESS_POINTS[1]);
    await publishing;
    await lag0(config);
    await agg.stop();
    await finish({ case: 'Kafka broker restarted (SIGTERM + start)', recoverySeconds: recovery, totalSeconds: (Date.now() - t0) / 1000, notes: `from stop until offsets pass their value when the broker answered again; producer chunks re-sent ${retries}; aggregator restarts ${agg.crashes}` }, { marks, planned: 1 }, expected, users, config);
  }, 900_000);

  it('Cassandra restarted during ingest (writes retried, valid events never DLQd)', async () => {
    const { config, users, events, expected, agg } = await ingestCase('cassandra', 'fa-cass', 44);
    const t0 = Date.now();
    await agg.start();
    const publishing = publishAll(config, events);
    const { marks, recovery } = await restartMidIngest('cassandra', config, events.length, PROGRESS_POINTS[2]);
    await publishing;
    await lag0(config);
    await agg.stop();
    await finish({ case: 'Cassandra restarted (SIGTERM + start)', recoverySeconds: recovery, totalSeconds: (Date.now() - t0) / 1000, notes: `from stop until offsets pass their value when Cassandra answered again (includes Cassandra's own restart); aggregator restarts ${agg.crashes}` }, { marks, planned: 1 }, expected, users, config);
  }, 900_000);

  it('Redis restarted with empty memory mid-crawl (crawls resume from the durable schedule)', async () => {
    const { config, service, from, users, planned, t0, agg, crawler } = await crawlCase('redis', 'fa-redis', 55);
    const published = await publishedReached(config, PROGRESS_POINTS[1], planned);
    const tk = Date.now();
    await stack.stop('redis', 'kill');
    // without Redis no queued crawl can start (a second for a start already under way to land): these lost their BullMQ jobs
    await sleep(1000);
    const snap = await crawlSnapshot(service, users, 'simulator');
    const marks: FaultMark[] = [{ fault: 'Redis SIGKILL', progress: published / planned, outstanding: snap.running.size + snap.queued.size, unit: 'crawls running or queued' }];
    say(`killed Redis (SIGKILL, data wiped) at ${published} of ${planned} planned listens published, with ${snap.running.size} crawls running, ${snap.queued.size} queued, ${snap.done} done`);
    stack.wipeRedisData();
    await stack.start();
    const keys = await redis.dbsize();
    say(`Redis back empty (${keys} keys) after ${((Date.now() - tk) / 1000).toFixed(1)} s`);
    const [queuedStart, interrupted] = await Promise.all([queuedCrawlStarted(service, snap.queued, tk), crawlsProgressed(service, snap.running, tk)]);
    const recovery = [queuedStart];
    await allCrawled(service, users, 'simulator');
    const expected = await crawledCounts(service, users, 55, from);
    await lag0(config);
    await Promise.all([crawler.stop(), agg.stop()]);
    await service.close();
    await finish({ case: 'Redis SIGKILLed, restarted empty', recoverySeconds: recovery, totalSeconds: (Date.now() - t0) / 1000, notes: `until a crawl whose queued job was lost starts (reconciler re-enqueues it from crawl_schedule; ${snap.queued.size} lost); the ${snap.running.size} running crawls published again after ${interrupted.toFixed(1)} s; crawler/aggregator restarts ${crawler.crashes}/${agg.crashes}` }, { marks, planned: 1 }, expected, users, config);
  }, 1_200_000);

  it('ListenBrainz answering 429, 500, timeouts and malformed JSON', async () => {
    const fake = new ListenBrainzFake({ rateLimit: 100_000, windowSeconds: 10 });
    const url = await fake.start();
    const config = caseConfig('source', { TOPK_LISTENBRAINZ_URL: url });
    await ensureTopics(kafka, config);
    const service = crawlService(config);
    const nUsers = 10;
    const per = Math.ceil(TARGET_LISTENS / nUsers);
    const users = Array.from({ length: nUsers }, (_, i) => `fa-lb-${tag}-${i}`);
    const identities: Identity[] = [];
    const now = Date.now();
    for (const u of users) {
      const ls: FakeListen[] = [];
      for (let i = 0; i < per; i++) {
        const ts = Math.floor((now - 6 * DAY + rand() * (6 * DAY - HOUR)) / 1000);
        const song = Math.floor(rand() * 3000);
        ls.push({ listened_at: ts, recording_msid: `msid-${song}`, track_metadata: { artist_name: `Artist ${song % 200}`, track_name: `Track ${song}` } });
        identities.push({ user_id: u, source: 'listenbrainz', listened_at: ts * 1000, song_id: `msid-${song}` });
      }
      fake.addListens(u, ls);
      await service.connectSource(u, 'listenbrainz', { username: u });
      await service.store.crawls.updateSchedule(u, 'listenbrainz', { interval_seconds: 86_400, next_run_at: new Date() });
    }
    const expected = expectedCounts(identities);
    const t0 = Date.now();
    const agg = engine('aggregator', config, 'source');
    const crawler = engine('crawler', config, 'source');
    await Promise.all([agg.start(), crawler.start()]);
    // faults are queued a few at a time while the crawls run, so they hit different crawls and pages
    const plan: Array<{ status: number; retryAfter?: number; hang?: boolean; body?: string }> = [
      { status: 429, retryAfter: 1 },
      { status: 500 },
      { status: 200, body: '{"payload": {"count": 3, "listens": [' },
      { status: 503 },
      { status: 200, hang: true },
      { status: 429, retryAfter: 2 },
      { status: 200, body: '<html>Bad gateway</html>' },
      { status: 500 },
      { status: 200, body: '{"payload": "not an object"}' },
      { status: 429, retryAfter: 1 },
    ];
    const counts: Record<string, number> = { '429': 0, '5xx': 0, timeout: 0, malformed: 0 };
    for (const [i, f] of plan.entries()) {
      await waitUntil('the fake to be asked again', async () => fake.inject.length === 0, 300_000, 100);
      // spread over the crawl: the i-th fault once (i + 1) / (n + 1) of the listens were served
      await progressReached('listens served', async () => fake.served, (n) => n, ((i + 1) / (plan.length + 1)) * identities.length, 600_000, 100);
      fake.inject.push(f);
      counts[f.hang ? 'timeout' : f.body !== undefined ? 'malformed' : f.status === 429 ? '429' : '5xx']!++;
    }
    await allCrawled(service, users, 'listenbrainz');
    // recovery per fault: from the faulty answer to the same user's next answer, when that one is good (the
    // crawl that got the fault asking again after its backoff / Retry-After / 30 s client timeout), worst per kind
    const userOf = (url: string): string | undefined => /\/user\/([^/?]+)\/listens/.exec(url)?.[1];
    const kinds = ['429', '5xx', 'timeout', 'malformed'] as const;
    const worstOf: Record<(typeof kinds)[number], number> = { '429': 0, '5xx': 0, timeout: 0, malformed: 0 };
    const a = fake.answers;
    let faulty = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      if (x.status === 200 && !x.malformed) continue;
      faulty++;
      // the same crawl's next request; when that one met a fault too, the later fault's figure covers both
      const next = a.slice(i + 1).find((y) => userOf(y.url) === userOf(x.url));
      if (!next || next.status !== 200 || next.malformed) continue;
      const kind = x.status === 0 ? 'timeout' : x.malformed ? 'malformed' : x.status === 429 ? '429' : '5xx';
      worstOf[kind] = Math.max(worstOf[kind], (next.at - x.at) / 1000);
    }
    // each injected fault, with the listens still to be served when it was answered
    const marks: FaultMark[] = a
      .filter((x) => x.injected)
      .map((x) => ({ fault: `ListenBrainz ${x.status === 0 ? 'timeout' : x.malformed ? 'malformed' : x.status}`, progress: x.served / identities.length, outstanding: identities.length - x.served, unit: 'listens not yet served' }));
    const failedAttempts = (
      await Promise.all(users.map(async (u) => (await service.listCrawls(u, 'listenbrainz')).filter((c) => c.state === 'failed').length))
    ).reduce((x, y) => x + y, 0);
    await lag0(config);
    await Promise.all([crawler.stop(), agg.stop()]);
    await service.close();
    await fake.close();
    await finish(
      {
        case: 'ListenBrainz 429 / 5xx / timeout / malformed JSON',
        recoverySeconds: kinds.map((k) => worstOf[k]),
        totalSeconds: (Date.now() - t0) / 1000,
        notes: `worst per kind, in the order 429 / 5xx / timeout / malformed, from the faulty answer to the same user's next (good) answer; ${faulty} faulty answers (429 ×${counts['429']}, 5xx ×${counts['5xx']}, timeout ×${counts.timeout} (30 s client timeout), malformed ×${counts.malformed}); failed crawls ${failedAttempts}`,
      },
      { marks, planned: plan.length },
      expected,
      users,
      config,
    );
  }, 900_000);

  // The aggregator SIGKILLed at one precise moment: after a batch's intent and raw listens, before its
  // user_days/day_users rows. Recovery recomputes global counts as the sum over day_users, and the
  // replayed batch finds every listen stored already, so nothing writes those rows afterwards.
  it('aggregator dead between raw listens and day_users: intent recovery keeps global counts exact', async () => {
    const partition = 5;
    const stream = `fa-intent-${tag}/listens`;
    const writer = new ListenWriter({ store: createStore(db), ranked: new RankedSets(redis, base.keyspace), log, retentionDays: base.retentionDays, stream });
    const day = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
    const t = Date.parse(`${day}T12:00:00Z`);
    const ev = (user: string, i: number, song: string): ListenEvent => ({ v: 1, user_id: user, source: 'simulator', listened_at: t + i * 200_000, song_id: song, title: `Title ${song}`, artist: 'Artist', published_at: Date.now() });
    const [u1, u2] = [`fa-intent-${tag}-0`, `fa-intent-${tag}-1`];
    const first = Array.from({ length: 20 }, (_, i) => ev(u1, i, `fa-intent-song-${i % 4}`));
    const crashed = Array.from({ length: 30 }, (_, i) => ev(u2, i, `fa-intent-song-${i % 5}`));
    const t0 = Date.now();
    await writer.write(first, partition);
    // what ListenWriter#write has done for `crashed` when it dies: the intent, then the raw listens
    await db.execute('INSERT INTO aggregator_intents_by_stream (stream, kafka_partition, batch_id, user_days, created_at) VALUES (?, ?, ?, ?, ?)', [stream, partition, TimeUuid.now(), [`${u2}|${day}`], new Date()], { prepare: true });
    for (const e of crashed) {
      await db.execute('INSERT INTO listens (user_id, day, listened_at, source, song_id, title, artist, album) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [e.user_id, day, new Date(e.listened_at), e.source, e.song_id, e.title, e.artist, null], { prepare: true });
    }
    // the restarted aggregator: recovery of the partition, then the batch is delivered again
    const rec = await writer.recoverPartition(partition);
    await writer.write(crashed, partition);
    const expected = expectedCounts([...first, ...crashed]);
    const users = [u1, u2];
    const user = await compareCounts(db, expected, users, days());
    const global = await compareGlobal(db, expected, [day], true);
    expectedCounts(flatten(expected), allExpected, allSeen);
    const marks: FaultMark[] = [{ fault: 'aggregator dead after raw listens', progress: first.length / (first.length + crashed.length), outstanding: rec.intents, unit: 'pending intents' }];
    const row: CaseResult = {
      case: 'Aggregator dead between raw listens and day_users (targeted)',
      listens: total(expected),
      lost: user.lost + global.lost,
      double: user.double + global.double,
      recoverySeconds: [(Date.now() - t0) / 1000],
      totalSeconds: (Date.now() - t0) / 1000,
      notes: `intents recovered ${rec.intents}; per-user lost/double ${user.lost}/${user.double}, global (songs of this case) lost/double ${global.lost}/${global.double}`,
    };
    results.push(row);
    recordResult(RESULTS, row);
    say(`${row.case}: ${row.notes}${global.samples.length ? `\n  ${global.samples.join('\n  ')}` : ''}`);
    expect(faultsThatTestedNothing(marks, 1)).toEqual([]);
    expect(user.samples).toEqual([]);
    expect(global.samples).toEqual([]);
  }, 300_000);

  it('global counts equal the sum of every case', async () => {
    const diff = await compareGlobal(db, allExpected, days());
    say(`global: expected ${diff.expected}, stored ${diff.stored}, lost ${diff.lost}, double ${diff.double}`);
    if (diff.samples.length) {
      // where a difference comes from: users with plays on a day but missing from day_users drop out of recovered global counts
      const missing = await missingDayUsers(db, allExpected);
      say(`(user, day) pairs with plays but no day_users row: ${missing.pairs}, holding ${missing.plays} plays${missing.samples.length ? ` (${missing.samples.join(', ')})` : ''}`);
    }
    expect(diff.samples).toEqual([]);
  }, 300_000);
});
