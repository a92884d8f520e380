import { describe, expect, it } from 'vitest';
import { ComposeError, composeProject, mergeComposeDocs, parseComposeText } from './compose-file';
import type { ComposeProject } from './compose-file';
import { CONFIG_HASH_LABEL, PROJECT_LABEL, planProject, planService } from './compose-translate';
import { parseBytes, parseDependsOn, parseDuration, parseEnvironment, parseHealthcheck, parsePorts, parseRestart, parseVolumes, shellSplit } from './compose-fields';

function project(yaml: string): ComposeProject {
  return composeProject(mergeComposeDocs([parseComposeText(yaml, 'test.yml', {})]), ['/srv/app/compose.yml'], 'fallback', {});
}

describe('parseDuration', () => {
  it.each([
    ['10s', 10e9],
    ['1m30s', 90e9],
    ['500ms', 5e8],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['2m3s4ms', 123.004e9],
    ['0', 0],
    [30, 30e9],
  ])('%s → %d ns', (input, ns) => expect(parseDuration(input, 'f')).toBe(ns));
  it.each(['10', '1x', 's', '10s5', '', 'abc'])('rejects %j', (bad) => expect(() => parseDuration(bad, 'hc.interval')).toThrow(/hc.interval: invalid duration/));
});

describe('parseBytes', () => {
  it.each([
    ['1g', 1024 ** 3],
    ['512m', 512 * 1024 ** 2],
    ['512M', 512 * 1024 ** 2],
    ['1024k', 1024 ** 2],
    ['2GB', 2 * 1024 ** 3],
    ['100', 100],
    ['100b', 100],
    [1073741824, 1073741824],
  ])('%s → %d bytes', (input, n) => expect(parseBytes(input, 'f')).toBe(n));
  it.each(['1x', 'g', '-1g', '1 gig'])('rejects %j', (bad) => expect(() => parseBytes(bad, 'mem_limit')).toThrow(ComposeError));
});

describe('parsePorts', () => {
  it('reads the short forms, binding to 127.0.0.1 when no address is given', () => {
    expect(parsePorts(['127.0.0.1:9092:9092', '6379:6379', '9042', '127.0.0.1::7000', '53:53/udp'], 'p')).toEqual([
      { containerPort: 9092, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 9092 },
      { containerPort: 6379, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 6379 },
      { containerPort: 9042, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: undefined },
      { containerPort: 7000, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: undefined },
      { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 53 },
    ]);
  });
  it('reads ranges, IPv6 loopback and the long form', () => {
    expect(parsePorts(['127.0.0.1:9000-9001:8000-8001'], 'p').map((p) => [p.hostPort, p.containerPort])).toEqual([
      [9000, 8000],
      [9001, 8001],
    ]);
    expect(parsePorts(['[::1]:80:8080'], 'p')).toEqual([{ containerPort: 8080, protocol: 'tcp', hostIp: '::1', hostPort: 80 }]);
    expect(parsePorts([{ target: 9042, published: '19042', host_ip: '127.0.0.1' }, { target: 1 }], 'p')).toEqual([
      { containerPort: 9042, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 19042 },
      { containerPort: 1, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: undefined },
    ]);
  });
  it('refuses addresses other than loopback and bad ports', () => {
    expect(() => parsePorts(['0.0.0.0:9092:9092'], 'services.kafka.ports')).toThrow(/services.kafka.ports\[0\]: ports must be published on 127.0.0.1 only/);
    expect(() => parsePorts([{ target: 80, host_ip: '192.168.1.2' }], 'p')).toThrow(/127.0.0.1 only/);
    expect(() => parsePorts(['99999'], 'p')).toThrow(/invalid port/);
    expect(() => parsePorts(['1:2:3:4'], 'p')).toThrow(/invalid port/);
    expect(() => parsePorts(['1-2:3'], 'p')).toThrow(/ranges differ/);
    expect(() => parsePorts('9092', 'p')).toThrow(/must be a list/);
  });
});

describe('parseEnvironment', () => {
  it('reads the map form, stringifying numbers and booleans', () => {
    expect(parseEnvironment({ A: '1', B: 2, C: true, D: '' }, 'e', {})).toEqual(['A=1', 'B=2', 'C=true', 'D=']);
  });
  it('reads the list form, values may contain =', () => {
    expect(parseEnvironment(['A=1', 'B=x=y', 'C='], 'e', {})).toEqual(['A=1', 'B=x=y', 'C=']);
  });
  it('takes bare keys from the host environment and drops unset ones', () => {
    expect(parseEnvironment(['HOME_DIR', 'UNSET'], 'e', { HOME_DIR: '/h' })).toEqual(['HOME_DIR=/h']);
    expect(parseEnvironment({ HOME_DIR: null, UNSET: null }, 'e', { HOME_DIR: '/h' })).toEqual(['HOME_DIR=/h']);
  });
  it('rejects nested values and bad names', () => {
    expect(() => parseEnvironment({ A: { b: 1 } }, 'env', {})).toThrow(/env.A must be a string/);
    expect(() => parseEnvironment(['BAD NAME=1'], 'env', {})).toThrow(/invalid variable name/);
    expect(() => parseEnvironment('A=1', 'env', {})).toThrow(/map or a list/);
  });
});

describe('parseHealthcheck', () => {
  it('converts durations to nanoseconds and keeps CMD / CMD-SHELL tests', () => {
    expect(parseHealthcheck({ test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 10, start_period: '1m30s' }, 'h')).toEqual({
      Test: ['CMD', 'redis-cli', 'ping'],
      Interval: 5e9,
      Timeout: 3e9,
      Retries: 10,
      StartPeriod: 90e9,
    });
    expect(parseHealthcheck({ test: 'curl -f localhost' }, 'h')).toEqual({ Test: ['CMD-SHELL', 'curl -f localhost'] });
    expect(parseHealthcheck({ disable: true }, 'h')).toEqual({ Test: ['NONE'] });
    expect(parseHealthcheck(undefined, 'h')).toBeUndefined();
  });
  it('rejects a missing or odd test', () => {
    expect(() => parseHealthcheck({ interval: '5s' }, 'hc')).toThrow(/hc.test is required/);
    expect(() => parseHealthcheck({ test: ['RUN', 'x'] }, 'hc')).toThrow(/CMD, CMD-SHELL or NONE/);
    expect(() => parseHealthcheck({ test: 'x', retries: -1 }, 'hc')).toThrow(/retries/);
  });
});

describe('parseRestart', () => {
  it.each([
    [undefined, { Name: 'no' }],
    ['no', { Name: 'no' }],
    ['always', { Name: 'always' }],
    ['unless-stopped', { Name: 'unless-stopped' }],
    ['on-failure', { Name: 'on-failure', MaximumRetryCount: 0 }],
    ['on-failure:3', { Name: 'on-failure', MaximumRetryCount: 3 }],
  ])('%s', (input, out) => expect(parseRestart(input, 'r')).toEqual(out));
  it('rejects unknown policies', () => expect(() => parseRestart('sometimes', 'r')).toThrow(/unknown restart policy/));
});

describe('parseVolumes', () => {
  const p = project('name: demo\nservices: { a: { image: x } }\nvolumes: { data: {}, named: { name: fixed-name }, ext: { external: true } }\n');
  it('maps named volumes to <project>_<key>, or their name:', () => {
    expect(parseVolumes(['data:/var/lib/data', 'named:/n:ro', { type: 'volume', source: 'data', target: '/t', read_only: true }], 'v', p)).toEqual([
      { volume: 'data', type: 'volume', source: 'demo_data', target: '/var/lib/data', readOnly: false },
      { volume: 'named', type: 'volume', source: 'fixed-name', target: '/n', readOnly: true },
      { volume: 'data', type: 'volume', source: 'demo_data', target: '/t', readOnly: true },
    ]);
  });
  it('resolves bind mounts against the compose file directory; bare paths are anonymous volumes', () => {
    expect(parseVolumes(['./conf:/etc/conf:ro', '/abs:/abs', '/scratch'], 'v', p)).toEqual([
      { type: 'bind', source: '/srv/app/conf', target: '/etc/conf', readOnly: true },
      { type: 'bind', source: '/abs', target: '/abs', readOnly: false },
      { type: 'volume', target: '/scratch', readOnly: false },
    ]);
  });
  it('rejects undeclared volumes, relative targets and unknown modes', () => {
    expect(() => parseVolumes(['nope:/x'], 'services.a.volumes', p)).toThrow(/named volume "nope" is not declared/);
    expect(() => parseVolumes(['data:relative'], 'v', p)).toThrow(/must be absolute/);
    expect(() => parseVolumes(['data:/x:rx'], 'v', p)).toThrow(/unknown volume mode/);
    expect(() => parseVolumes([{ type: 'tmpfs', target: '/x' }], 'v', p)).toThrow(/not supported/);
  });
});

describe('parseDependsOn', () => {
  it('reads the list form as service_started and the map form with conditions', () => {
    expect(parseDependsOn(['a'], 'd', ['a', 'b'])).toEqual([{ service: 'a', condition: 'service_started' }]);
    expect(parseDependsOn({ a: { condition: 'service_healthy' }, b: {} }, 'd', ['a', 'b'])).toEqual([
      { service: 'a', condition: 'service_healthy' },
      { service: 'b', condition: 'service_started' },
    ]);
  });
  it('rejects unknown services and conditions', () => {
    expect(() => parseDependsOn(['zz'], 'd', ['a'])).toThrow(/unknown service "zz"/);
    expect(() => parseDependsOn({ a: { condition: 'service_happy' } }, 'd', ['a'])).toThrow(/unknown condition/);
  });
});

describe('shellSplit', () => {
  it('splits like a shell without expanding', () => {
    expect(shellSplit(`redis-server --save "" --requirepass 'a b' x\\ y`, 'c')).toEqual(['redis-server', '--save', '', '--requirepass', 'a b', 'x y']);
    expect(() => shellSplit('echo "open', 'c')).toThrow(/unterminated quote/);
  });
});

describe('planService', () => {
  const yaml = `
name: demo
services:
  db:
    image: example/db:1
    command: run --fast
    environment: { A: "1" }
    ports: ["127.0.0.1:5000:5000"]
    volumes: [data:/data]
    healthcheck: { test: ["CMD", "check"], interval: 10s }
    mem_limit: 512m
    restart: unless-stopped
    labels: { team: x }
  app:
    image: example/app
    depends_on: { db: { condition: service_healthy } }
volumes: { data: {} }
`;
  it('builds the Engine create options', () => {
    const plan = planService(project(yaml), 'db', {});
    expect(plan.containerName).toBe('demo-db-1');
    expect(plan.hasHealthcheck).toBe(true);
    expect(plan.create).toMatchObject({
      name: 'demo-db-1',
      Image: 'example/db:1',
      Cmd: ['run', '--fast'],
      Env: ['A=1'],
      ExposedPorts: { '5000/tcp': {} },
      Healthcheck: { Test: ['CMD', 'check'], Interval: 10e9 },
      HostConfig: {
        NetworkMode: 'demo_default',
        PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5000' }] },
        Mounts: [{ Type: 'volume', Source: 'demo_data', Target: '/data', ReadOnly: false }],
        Memory: 512 * 1024 ** 2,
        RestartPolicy: { Name: 'unless-stopped' },
      },
      NetworkingConfig: { EndpointsConfig: { demo_default: { Aliases: ['db'] } } },
      Labels: { team: 'x', [PROJECT_LABEL]: 'demo', 'io.heavyrotation.service': 'db', [CONFIG_HASH_LABEL]: plan.configHash },
    });
  });
  it('hashes the definition: equal input, equal hash; any change, another hash', () => {
    const a = planService(project(yaml), 'db', {}).configHash;
    expect(planService(project(yaml), 'db', {}).configHash).toBe(a);
    expect(planService(project(yaml.replace('A: "1"', 'A: "2"')), 'db', {}).configHash).not.toBe(a);
    expect(planService(project(yaml.replace('512m', '1g')), 'db', {}).configHash).not.toBe(a);
  });
  it('orders services after what they depend on', () => {
    const order = planProject(project(yaml), {}).map((p) => p.service);
    expect(order).toEqual(['db', 'app']);
    expect(planProject(project(yaml), {})[1]?.dependsOn).toEqual([{ service: 'db', condition: 'service_healthy' }]);
  });
  it('finds depends_on cycles', () => {
    const cyc = 'services:\n  a: { image: x, depends_on: [b] }\n  b: { image: x, depends_on: [a] }\n';
    expect(() => planProject(project(cyc), {})).toThrow(/depends_on cycle: a -> b -> a/);
  });
  it('refuses keys it does not implement and services without image', () => {
    expect(() => planService(project('services:\n  a: { image: x, privileged: true }\n'), 'a', {})).toThrow(/services.a.privileged is not supported/);
    expect(() => planService(project('services:\n  a: { command: x }\n'), 'a', {})).toThrow(/services.a.image is required/);
  });
  it('reads the memory limit from deploy.resources when mem_limit is absent', () => {
    const p = project('services:\n  a: { image: x, deploy: { resources: { limits: { memory: 256M } } } }\n');
    expect(planService(p, 'a', {}).create.HostConfig?.Memory).toBe(256 * 1024 ** 2);
  });
});
