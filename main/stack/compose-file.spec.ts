import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolate, loadComposeProject, mergeComposeDocs, parseComposeText } from './compose-file';

const parse = (y: string, env: Record<string, string> = {}) => parseComposeText(y, 't.yml', env);

describe('interpolate', () => {
  it('replaces ${VAR}, defaults and $$', () => {
    const env = { A: 'a', EMPTY: '' };
    expect(interpolate('${A}-$A-${B:-b}-${EMPTY:-e}-${EMPTY-e}-$$A', env, 'x')).toBe('a-a-b-e--$A');
    expect(() => interpolate('${A:?required}', env, 'x')).toThrow(/unsupported interpolation/);
  });
});

describe('merging compose files', () => {
  const base = parse(`
name: topk
services:
  kafka:
    image: k:1
    command: ["a", "b"]
    environment: { A: "1", B: "2" }
    ports: ["127.0.0.1:9092:9092"]
    volumes: ["data:/data", "./x:/x"]
    healthcheck: { test: ["CMD", "one"], interval: 10s }
volumes: { data: {} }
`);
  it('merges maps, environment by key, volumes by target; replaces command and healthcheck.test; unions ports', () => {
    const over = parse(`
services:
  kafka:
    image: k:2
    command: ["c"]
    environment: ["B=20", "C=3"]
    ports: ["127.0.0.1:19092:9092"]
    volumes: ["other:/data"]
    healthcheck: { test: ["CMD", "two"] }
`);
    const m = mergeComposeDocs([base, over]) as { services: { kafka: Record<string, unknown> } };
    expect(m.services.kafka).toEqual({
      image: 'k:2',
      command: ['c'],
      environment: { A: '1', B: '20', C: '3' },
      ports: ['127.0.0.1:9092:9092', '127.0.0.1:19092:9092'],
      volumes: ['other:/data', './x:/x'],
      healthcheck: { test: ['CMD', 'two'], interval: '10s' },
    });
  });
  it('!override replaces a value and !reset removes it', () => {
    const over = parse(`
services:
  kafka:
    ports: !override ["127.0.0.1:19092:9092"]
    healthcheck: !reset null
volumes: !reset null
`);
    const m = mergeComposeDocs([base, over]) as { services: { kafka: Record<string, unknown> }; volumes?: unknown };
    expect(m.services.kafka.ports).toEqual(['127.0.0.1:19092:9092']);
    expect(m.services.kafka.healthcheck).toBeUndefined();
    expect(m.volumes).toBeUndefined();
  });
  it('resolves anchors and merge keys', () => {
    const m = mergeComposeDocs([
      parse(`
x-common: &common { restart: always, mem_limit: 1g }
services:
  a: { <<: *common, image: a }
  b: { <<: *common, image: b, mem_limit: 2g }
`),
    ]) as { services: Record<string, Record<string, unknown>> };
    expect(m.services.a).toEqual({ restart: 'always', mem_limit: '1g', image: 'a' });
    expect(m.services.b).toEqual({ restart: 'always', mem_limit: '2g', image: 'b' });
  });
  it('loads files from disk with the project name, working dir and clear errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-spec-'));
    const a = join(dir, 'a.yml');
    const b = join(dir, 'b.yml');
    writeFileSync(a, 'name: First\nservices: { r: { image: "${IMG:-redis:7}" } }\n');
    writeFileSync(b, 'name: second\n');
    const p = loadComposeProject([a, b], {});
    expect(p.name).toBe('second');
    expect(p.workingDir).toBe(dir);
    expect(p.services.r?.image).toBe('redis:7');
    expect(loadComposeProject([a], { IMG: 'mine:1' }).services.r?.image).toBe('mine:1');
    expect(() => loadComposeProject([join(dir, 'missing.yml')], {})).toThrow(/cannot read compose file/);
    writeFileSync(b, 'services: [1, 2]\n');
    expect(() => loadComposeProject([b], {})).toThrow(/no services defined/);
    writeFileSync(b, 'services:\n  a: 1\n  a: 2\n');
    expect(() => loadComposeProject([b], {})).toThrow(/b.yml/);
  });
  it('the shipped stack/compose.yml plans cleanly with loopback ports and a 1 GiB Cassandra heap', async () => {
    const { planProject } = await import('./compose-translate');
    const p = loadComposeProject([join(import.meta.dirname, '..', '..', 'stack', 'compose.yml')], {});
    const plans = planProject(p, {});
    expect(plans.map((x) => x.service).sort()).toEqual(['cassandra', 'kafka', 'redis']);
    for (const plan of plans) {
      expect(plan.hasHealthcheck).toBe(true);
      expect(plan.ports.every((port) => port.hostIp === '127.0.0.1')).toBe(true);
      expect(plan.create.HostConfig?.Mounts?.[0]?.Type).toBe('volume');
    }
    const cass = plans.find((x) => x.service === 'cassandra');
    expect(cass?.create.Env).toContain('MAX_HEAP_SIZE=1G');
    const kafka = plans.find((x) => x.service === 'kafka');
    expect(kafka?.create.Env?.find((e) => e.startsWith('KAFKA_ADVERTISED_LISTENERS='))).toBe('KAFKA_ADVERTISED_LISTENERS=HOST://127.0.0.1:9092,DOCKER://kafka:29092');
  });
});
