import pino from 'pino';
import { loadConfig } from '../../../engine/shared/config';
import { createLogger } from '../../../engine/shared/logger';
import { isValidKeyspace, migrate } from '../../migrate/migrator';
import { UsageError, parseStrict, runCommand } from '../cli-args';

export const MIGRATE_USAGE = 'usage: topk migrate [--keyspace NAME]';

export async function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const { values, positionals } = parseStrict(args, { keyspace: { type: 'string' } }, MIGRATE_USAGE);
    if (values.help) {
      console.log(MIGRATE_USAGE);
      return 0;
    }
    if (positionals.length) {
      console.error(`topk: unexpected argument "${positionals[0]}"\n${MIGRATE_USAGE}`);
      return 2;
    }
    if (values.keyspace !== undefined && !isValidKeyspace(values.keyspace)) throw new UsageError(`--keyspace ${JSON.stringify(values.keyspace)} is not a valid keyspace name (letters, digits, _; starts with a letter; at most 48)\n${MIGRATE_USAGE}`);
    const config = loadConfig(values.keyspace ? { overrides: { keyspace: values.keyspace } } : {});
    const log = createLogger('migrate', { level: 'warn', destination: pino.destination({ fd: 2, sync: true }) });
    const r = await migrate(config, log, { onProgress: (m) => console.log(m) });
    if (r.applied.length === 0) console.log(`keyspace ${r.keyspace} is up to date (${r.alreadyApplied.length} migrations applied before)`);
    else console.log(`keyspace ${r.keyspace}: applied ${r.applied.join(', ')}${r.alreadyApplied.length ? `; ${r.alreadyApplied.length} were already applied` : ''}`);
    return 0;
  });
}
