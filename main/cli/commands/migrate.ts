import pino from 'pino';
import { loadConfig } from '../../../engine/shared/config';
import { createLogger } from '../../../engine/shared/logger';
import { isValidKeyspace, migrate } from '../../migrate/migrator';
import { UsageError, refuseExtraArgs, runWithArgs } from '../cli-args';

export const MIGRATE_USAGE = 'usage: topk migrate [--keyspace NAME]';

export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { keyspace: { type: 'string' } }, MIGRATE_USAGE, async ({ values, positionals }) => {
    refuseExtraArgs(positionals, MIGRATE_USAGE);
    if (values.keyspace !== undefined && !isValidKeyspace(values.keyspace)) throw new UsageError(`--keyspace ${JSON.stringify(values.keyspace)} is not a valid keyspace name (letters, digits, _; starts with a letter; at most 48)\n${MIGRATE_USAGE}`);
    const config = loadConfig(values.keyspace ? { overrides: { keyspace: values.keyspace } } : {});
    const log = createLogger('migrate', { level: 'warn', destination: pino.destination({ fd: 2, sync: true }) });
    const r = await migrate(config, log, { onProgress: (m) => console.log(m) });
    if (r.applied.length === 0) console.log(`keyspace ${r.keyspace} is up to date (${r.alreadyApplied.length} migrations applied before)`);
    else console.log(`keyspace ${r.keyspace}: applied ${r.applied.join(', ')}${r.alreadyApplied.length ? `; ${r.alreadyApplied.length} were already applied` : ''}`);
    return 0;
  });
}
