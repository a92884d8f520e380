/**
 * Measures the import (issue 18 point 4, docs/IMPORT-FORMATS.md "Speed").
 * Run: npx tsx test/pipeline/measure-import.ts [listens=250000] [--parse-only | --pipeline-only] [--warm]
 * (--warm: each file is read once before the measured read, so the JIT has compiled the readers)
 * 1. parse rate of each format: a generated history of N listens read by HistoryFile alone
 *    (no Kafka), listens/s = N / wall time;
 * 2. the whole pipeline: a Spotify data zip of N listens (Streaming_History_Audio_*.json files of
 *    10 000 entries, as Spotify splits them) imported through CrawlService (→ Kafka) while one
 *    in-process aggregator counts them; counts checked exactly against the generated plays.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aggregator } from '../../engine/aggregator/aggregator';
import { CrawlService } from '../../engine/crawler/crawl-service';
import { HistoryFile } from '../../engine/crawler/import/history-file';
import { lastfmCsv, listenBrainzListen, scrobblerLog, spotifyExtended } from '../fixtures/history-exports';
import type { Play } from '../fixtures/history-exports';
import { buildZip } from '../fixtures/zip-builder';
import { asComparable, createHarness, daysBack, expectedCounts, hSongId, quietLog, storedCounts, uid, waitForLag0 } from './harness';

const N = Number(process.argv[2] ?? 250_000);
const parseOnly = process.argv.includes('--parse-only');
const pipelineOnly = process.argv.includes('--pipeline-only');
const warm = process.argv.includes('--warm');
const dir = mkdtempSync(join(tmpdir(), 'measure-import-'));

/** N plays over the last 6 days (inside the default retention), 400 artists × 25 titles */
const now = Date.now();
const span = 6 * 86_400_000;
const plays: Play[] = Array.from({ length: N }, (_, i) => ({
  start: Math.floor((now - 3_600_000 - (i * span) / N) / 1000) * 1000,
  artist: `Artist ${i % 400}`,
  title: `Title ${(i * 7) % 25}`,
  album: `Album ${i % 400}`,
  ms_played: 150_000 + (i % 60) * 1000,
}));

function spotifyZip(): Buffer {
  const files: Array<{ name: string; data: string }> = [];
  for (let i = 0; i < N; i += 10_000) {
    files.push({ name: `Spotify Extended Streaming History/Streaming_History_Audio_2026_${i / 10_000}.json`, data: JSON.stringify(plays.slice(i, i + 10_000).map((p) => spotifyExtended(p)), null, 2) });
  }
  return buildZip(files);
}

async function parseRate(name: string, data: string | Buffer): Promise<Record<string, unknown>> {
  const path = join(dir, name);
  writeFileSync(path, data);
  if (warm) for await (const batch of new HistoryFile({ filename: name }).fromPath(path)) void batch;
  const f = new HistoryFile({ filename: name });
  let listens = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for await (const batch of f.fromPath(path)) for (const it of batch) if ('listen' in it) listens++;
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  // on a shared machine the wall time mostly measures the other processes: listens per CPU second is this code's speed
  return { file: name, format: f.format, mb: +(f.bytesRead / 1e6).toFixed(1), listens, wall_s: +secs.toFixed(2), cpu_s: +cpu.toFixed(2), listens_per_s: Math.round(listens / secs), listens_per_cpu_s: Math.round(listens / cpu) };
}

const zip = spotifyZip();
writeFileSync(join(dir, 'my_spotify_data.zip'), zip);
const rates = pipelineOnly ? [] : [
  await parseRate('my_spotify_data.zip', zip),
  await parseRate('Streaming_History_Audio_2026.json', JSON.stringify(plays.map((p) => spotifyExtended(p)))),
  await parseRate('listens.jsonl', plays.map((p) => JSON.stringify(listenBrainzListen(p))).join('\n')),
  await parseRate('recenttracks.csv', lastfmCsv(plays)),
  await parseRate('.scrobbler.log', scrobblerLog(plays)),
];
for (const r of rates) console.log(JSON.stringify({ parse: r }));

if (!parseOnly) {
  const h = await createHarness({ TOPK_TOPIC_PARTITIONS: '6' });
  const agg = new Aggregator({ kafka: h.kafka, db: h.db, redis: h.redis, config: h.config, log: quietLog, statsKey: h.statsKey });
  await agg.start();
  const service = new CrawlService({ cassandra: h.db, redis: h.redis, kafka: h.kafka, config: h.config, log: quietLog, queueName: uid('q'), statsKey: h.statsKey });
  const user = uid('measure');
  const path = join(dir, 'my_spotify_data.zip');
  const load0 = loadavg()[0]!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await service.importFile(user, { path }, { filename: 'my_spotify_data.zip' });
  const published = (performance.now() - t0) / 1000;
  await waitForLag0(h, 1_800_000);
  const counted = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  /** CPU of this process (reader, publisher, aggregator); Kafka's and Cassandra's is in theirs */
  const cpu = (cu.user + cu.system) / 1e6;
  const expected = expectedCounts(plays.map((p) => ({ user_id: user, source: 'import:spotify', listened_at: p.start, song_id: hSongId(p.artist, p.title) }))).get(user);
  const exact = JSON.stringify([...(await storedCounts(h, user, daysBack(8)))]) === JSON.stringify([...asComparable(expected)]);
  console.log(
    JSON.stringify({
      pipeline: { listens: N, accepted: report.listens_accepted, skipped: report.skipped, publish_s: +published.toFixed(1), publish_per_s: Math.round(N / published), counted_s: +counted.toFixed(1), end_to_end_per_s: Math.round(N / counted), cpu_s: +cpu.toFixed(1), cpu_us_per_listen: Math.round((cpu * 1e6) / N), load_start: +load0.toFixed(1), load_end: +loadavg()[0]!.toFixed(1), counts_exact: exact },
    }),
  );
  await service.close();
  await agg.close();
  await h.close();
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
