import { existsSync, statSync } from 'node:fs';
import pino from 'pino';
import { loadConfig } from '../../../engine/shared/config';
import { createLogger } from '../../../engine/shared/logger';
import { createCassandra } from '../../../engine/shared/cassandra';
import { createRedis } from '../../../engine/shared/redis';
import { createKafka } from '../../../engine/shared/kafka';
import { CrawlService, SourceError } from '../../../engine/crawler/crawl-service';
import type { ImportReport } from '../../../engine/crawler/crawl-service';
import { ACCEPTED_FORMATS } from '../../../engine/crawler/import/import-reader';
import { UsageError, runWithArgs } from '../cli-args';

export const IMPORT_USAGE = `usage: topk import FILE --user USER_ID [--timezone ZONE] [--keyspace NAME]

Imports a listening-history file; the format is detected from its content:
${ACCEPTED_FORMATS}.
--timezone: the IANA time zone of a .scrobbler.log marked #TZ/UNKNOWN (default: this computer's).
Prints progress on stderr and a report of what was imported and skipped (and why) on stdout.`;

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

/** The report as lines for a terminal. */
export function formatReport(r: ImportReport): string[] {
  const lines = [
    `import ${r.state}: ${r.format}, ${r.lines_read} entries read, ${r.listens_accepted} listens imported, ${r.skipped} skipped (crawl ${r.crawl_id})`,
  ];
  for (const [reason, n] of Object.entries(r.skipped_reasons).sort((a, b) => b[1] - a[1])) lines.push(`  skipped ${reason}: ${n}`);
  if (r.files?.length) lines.push(`  files read: ${r.files.join(', ')}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  return lines;
}

/** `topk import FILE --user U`: streams the file through the crawl service to Kafka, like an upload in the UI. */
export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { user: { type: 'string' }, timezone: { type: 'string' }, keyspace: { type: 'string' } }, IMPORT_USAGE, async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError(`${positionals.length === 0 ? 'name the file to import' : `unexpected argument "${positionals[1]}"`}\n${IMPORT_USAGE}`);
    const path = positionals[0]!;
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file: ${path}`);
    const user = values.user?.trim();
    if (!user) throw new UsageError(`--user needs a user id\n${IMPORT_USAGE}`);
    const config = loadConfig(values.keyspace ? { overrides: { keyspace: values.keyspace } } : {});
    const log = createLogger('import', { level: 'warn', destination: pino.destination({ fd: 2, sync: true }) });
    const db = createCassandra(config, log);
    const redis = createRedis(config, log);
    const service = new CrawlService({ cassandra: db, redis, kafka: createKafka(config, log, 'topk-import'), config, log });
    const tty = process.stderr.isTTY === true;
    let last = 0;
    try {
      const now = new Date();
      await db.execute('INSERT INTO users (user_id, created_at, updated_at) VALUES (?, ?, ?) IF NOT EXISTS', [user, now, now], { prepare: true });
      const report = await service.importFile(
        user,
        { path },
        {
          filename: path.slice(path.lastIndexOf('/') + 1),
          timeZone: values.timezone,
          onProgress: (p) => {
            if (Date.now() - last < 1000) return;
            last = Date.now();
            const pct = p.bytes_total ? ` (${Math.floor((p.bytes_read / p.bytes_total) * 100)} %)` : '';
            const line = `import: ${mb(p.bytes_read)}${p.bytes_total ? ` of ${mb(p.bytes_total)}` : ''}${pct}, ${p.entries} entries, ${p.listens_accepted} listens`;
            process.stderr.write(tty ? `\r${line}` : `${line}\n`);
          },
        },
      );
      if (tty && last > 0) process.stderr.write('\n');
      for (const l of formatReport(report)) console.log(l);
      return report.state === 'done' ? 0 : 1;
    } catch (err) {
      if (err instanceof SourceError) throw new UsageError(err.message);
      throw err;
    } finally {
      await service.close();
      await redis.quit().catch(() => undefined);
      await db.shutdown();
    }
  });
}
