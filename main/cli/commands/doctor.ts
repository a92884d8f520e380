import { examine } from '../../doctor/doctor';
import { refuseExtraArgs, runWithArgs } from '../cli-args';

export const DOCTOR_USAGE = 'usage: topk doctor';

export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { json: { type: 'boolean' } }, DOCTOR_USAGE, async ({ values, positionals }) => {
    refuseExtraArgs(positionals, DOCTOR_USAGE);
    const { report, java, redis, maven, foreign } = await examine(process.env);
    const { checks, nativeUsable, externalUsable, usable } = report;
    const choice = report.provider;
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      for (const c of checks) {
        console.log(`${c.ok ? (c.warn ? 'warn' : ' ok ') : 'FAIL'}  ${c.name}: ${c.detail}`);
        if (c.fix && (!c.ok || c.warn)) console.log(`      fix: ${c.fix}`);
      }
      console.log('');
      console.log(`provider: ${choice.id} would be chosen (${choice.why})`);
      if (choice.usable) console.log('it is usable: `npx topk stack up` starts it' + (choice.id === 'docker' && foreign ? ' (or reuses it, if the services on the stack ports are its containers)' : ''));
      else console.log('it is NOT usable yet: apply the fixes above');
      if (choice.id === 'docker' && nativeUsable) console.log('the native provider is usable too (`--provider native`)');
      if (foreign && !nativeUsable && java.ok && redis.ok && maven.ok) console.log('the native provider would find its ports taken: stop what holds them, or point TOPK_KAFKA_BROKERS / TOPK_CASSANDRA_CONTACT_POINTS / TOPK_REDIS_URL at other ports');
      if (externalUsable) console.log('Kafka, Cassandra and Redis already answer on the configured endpoints: `--provider external` uses them as they are');
    }
    return usable ? 0 : 1;
  });
}
