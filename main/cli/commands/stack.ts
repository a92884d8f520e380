import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../engine/shared/config';
import type { Config } from '../../../engine/shared/config';
import { nativeVerdict } from '../../doctor/doctor';
import { upWithNativeFallback } from '../../stack/native-fallback';
import { StackManager, UnknownProviderError } from '../../stack/stack-manager';
import { MAX_NODES } from '../../stack/native-cluster-layout';
import type { ProgressEvent, ProviderId, StackEndpoints } from '../../stack/types';
import { UsageError, refuseExtraArgs, runWithArgs } from '../cli-args';

export const STACK_USAGE = 'usage: topk stack up|down|status [--provider docker|native|external] [--nodes N] [--compose-file override.yml ...] [--volumes]';

/** The provider `stack up` last used, so `status`/`down` find the same stack. */
export function recordedProvider(config: Config): ProviderId | undefined {
  return readRecord(config)?.provider;
}

/** The cluster size `stack up` last used (1: one node of each). */
export function recordedNodes(config: Config): number {
  return readRecord(config)?.nodes ?? 1;
}

/** The docker override files `stack up` last used (absolute paths). */
export function recordedComposeFiles(config: Config): string[] | undefined {
  return readRecord(config)?.composeFiles;
}

interface StackRecord {
  provider?: ProviderId;
  composeFiles?: string[];
  nodes?: number;
}

function readRecord(config: Config): StackRecord | undefined {
  const file = join(config.dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackRecord;
  } catch {
    return undefined;
  }
}

function recordProvider(config: Config, provider: ProviderId | undefined, composeFiles?: string[], nodes = 1): void {
  const file = join(config.dataDir, 'stack.json');
  if (provider === undefined) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ provider, at: new Date().toISOString(), ...(composeFiles?.length ? { composeFiles } : {}), ...(nodes > 1 ? { nodes } : {}) }) + '\n');
}

/** The TOPK_* settings that make the app use a cluster of `nodes`: every endpoint, RF = nodes, min ISR 2, LOCAL_QUORUM. */
export function clusterSettings(e: StackEndpoints, nodes: number): string[] {
  return [
    `TOPK_KAFKA_BROKERS=${e.kafkaBrokers.join(',')}`,
    `TOPK_CASSANDRA_CONTACT_POINTS=${e.cassandraContactPoints.join(',')}`,
    `TOPK_CASSANDRA_REPLICATION='${JSON.stringify({ class: 'NetworkTopologyStrategy', [e.cassandraLocalDc]: nodes })}'`,
    'TOPK_CASSANDRA_CONSISTENCY=LOCAL_QUORUM',
    `TOPK_TOPIC_REPLICATION=${nodes}`,
    `TOPK_TOPIC_MIN_ISR=${Math.min(2, nodes)}`,
  ];
}

export function printProgress(e: ProgressEvent): void {
  console.log(`[${e.service}] ${e.message}`);
}

export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { provider: { type: 'string' }, volumes: { type: 'boolean' }, nodes: { type: 'string' }, 'compose-file': { type: 'string', multiple: true } }, STACK_USAGE, async ({ values, positionals }) => {
    const [action] = positionals;
    if (!action || !['up', 'down', 'status'].includes(action)) throw new UsageError(`${action ? `unknown stack action "${action}"` : 'missing stack action'}\n${STACK_USAGE}`);
    refuseExtraArgs(positionals, STACK_USAGE, 1);
    if (values.volumes && action !== 'down') throw new UsageError(`--volumes only goes with "stack down"\n${STACK_USAGE}`);
    let nodes: number | undefined;
    if (values.nodes !== undefined) {
      nodes = Number(values.nodes);
      if (!/^\d+$/.test(values.nodes) || nodes < 1 || nodes > MAX_NODES) throw new UsageError(`--nodes must be a whole number from 1 to ${MAX_NODES}, got ${JSON.stringify(values.nodes)}\n${STACK_USAGE}`);
    }
    const config = loadConfig();
    // status/down find the cluster `stack up` started
    nodes ??= action === 'up' ? 1 : recordedNodes(config);
    // docker overrides: as given, else (for status/down) the ones `stack up` used
    let composeFiles = values['compose-file']?.map((f) => resolve(f));
    for (const f of composeFiles ?? []) if (!existsSync(f)) throw new UsageError(`--compose-file ${f}: no such file\n${STACK_USAGE}`);
    if (composeFiles === undefined && action !== 'up') composeFiles = recordedComposeFiles(config);
    const manager = new StackManager(config, { composeFiles, nodes });
    let requested = values.provider;
    if (requested === undefined && action !== 'up') requested = recordedProvider(config);
    let choice;
    try {
      choice = await manager.choose(requested);
    } catch (err) {
      if (err instanceof UnknownProviderError) throw new UsageError(`${err.message}\n${STACK_USAGE}`);
      throw err;
    }
    if (nodes > 1 && choice.id !== 'native') throw new UsageError(`--nodes ${nodes} runs a cluster on the native provider only (with docker or external, run the cluster yourself and name its nodes in TOPK_KAFKA_BROKERS and TOPK_CASSANDRA_CONTACT_POINTS)\n${STACK_USAGE}`);
    console.log(`provider: ${choice.id} (${requested !== undefined && values.provider === undefined ? 'the one `stack up` used last' : choice.reason})`);

    if (action === 'up') {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const t0 = Date.now();
        const up = await upWithNativeFallback(manager, choice, () => nativeVerdict(process.env), { onProgress: printProgress, signal: ac.signal });
        const e = up.endpoints;
        recordProvider(config, up.choice.id, up.choice.id === 'docker' ? composeFiles : undefined, nodes);
        console.log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        console.log(`  kafka brokers:            ${e.kafkaBrokers.join(',')}`);
        console.log(`  cassandra contact points: ${e.cassandraContactPoints.join(',')} (dc ${e.cassandraLocalDc})`);
        console.log(`  redis:                    ${e.redisUrl}`);
        if (nodes > 1) {
          // what every process of the app needs to use the cluster as one
          console.log('settings for this cluster (the engine processes, `topk migrate`, `topk serve --provider external`):');
          for (const line of clusterSettings(e, nodes)) console.log(`  export ${line}`);
        }
        return 0;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }
    const provider = await manager.provider(choice.id);
    if (action === 'down') {
      await provider.down({ volumes: values.volumes === true, onProgress: printProgress });
      console.log(values.volumes ? 'stack down, data removed' : 'stack down (data kept)');
      return 0;
    }
    const s = await provider.status();
    for (const svc of s.services) {
      const bits = [svc.name.padEnd(10), svc.state.padEnd(9), (svc.endpoint ?? '').padEnd(22)];
      if (svc.pid) bits.push(`pid ${svc.pid}`);
      if (svc.containerId) bits.push(`container ${svc.containerId.slice(0, 12)}`);
      if (svc.version) bits.push(`v${svc.version}`);
      if (svc.uptimeSeconds !== undefined) bits.push(`up ${svc.uptimeSeconds}s`);
      if (svc.detail) bits.push(`(${svc.detail})`);
      console.log(bits.join(' '));
    }
    return s.services.every((x) => x.state === 'running') ? 0 : 1;
  });
}
