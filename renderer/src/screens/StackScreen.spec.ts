// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { installFakeClient } from '../../../test/renderer/fake-client';
import StackScreen from './StackScreen.svelte';

const doctor = { ok: false, checks: [
  { id: 'docker', title: 'Docker engine', status: 'ok', detail: 'Docker 27 answering' },
  { id: 'java', title: 'Java 17+', status: 'fail', detail: 'not found', fix: 'install OpenJDK 17' },
] };
const svc = (name: string, state: string) => ({ name, state, health: state === 'running' ? 'healthy' : 'none', endpoint: '127.0.0.1:1' });

describe('StackScreen', () => {
  it('first run: offers to start the stack and shows what doctor found', async () => {
    const { calls } = installFakeClient({
      'GET /control/stack': { provider: 'docker', services: [svc('kafka', 'absent'), svc('cassandra', 'absent'), svc('redis', 'absent')] },
      'GET /control/processes': { processes: [] },
      'GET /control/doctor': doctor,
      'POST /control/stack/up': { status: 202, body: { accepted: true } },
    });
    render(StackScreen, { intervalMs: 60_000 });
    await screen.findByText('Start the stack to begin');
    expect(screen.getByText('Fix:', { exact: false })).toBeTruthy();
    expect(screen.getByText(/install OpenJDK 17/)).toBeTruthy();
    screen.getAllByRole('button', { name: /Start stack/ })[0]!.click();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls.some((c) => c.method === 'POST' && c.path === '/control/stack/up')).toBe(true);
  });

  it('running: per-service state and engine processes with restarts and memory', async () => {
    installFakeClient({
      'GET /control/stack': { provider: 'native', services: [svc('kafka', 'running'), svc('cassandra', 'running'), svc('redis', 'running')] },
      'GET /control/processes': { processes: [{ name: 'aggregator', state: 'running', pid: 42, startedAt: null, uptimeSeconds: 125, restarts: 2, recentCrashes: 0, memoryRssBytes: 104857600, lastExitCode: 1, lastSignal: null, lastError: null, nextRestartAt: null }] },
      'GET /control/doctor': { ok: true, checks: [] },
    });
    render(StackScreen, { intervalMs: 60_000 });
    const kafka = await screen.findByRole('article', { name: 'Kafka' });
    expect(within(kafka).getByText('running')).toBeTruthy();
    expect(within(kafka).getByText('healthy')).toBeTruthy();
    const row = (await screen.findByText('aggregator')).closest('tr')!;
    expect(within(row).getByText('2')).toBeTruthy();
    expect(within(row).getByText('100 MB')).toBeTruthy();
    expect(within(row).getByText('exited with code 1')).toBeTruthy();
    expect(screen.queryByText('Start the stack to begin')).toBeNull();
  });

  it('a Docker engine that cannot pull: offers the native provider, and starts it on request', async () => {
    const ups: (string | null)[] = [];
    installFakeClient({
      'GET /control/stack': {
        provider: 'docker', phase: 'error', errorCode: 'IMAGE_UNAVAILABLE', providerHow: 'auto', savedProvider: null,
        error: 'the Docker engine does not have 3 images of the stack and cannot pull them: apache/kafka:3.9.1, cassandra:5.0, redis:7 (no such host)',
        services: [svc('kafka', 'absent'), svc('cassandra', 'absent'), svc('redis', 'absent')],
      },
      'GET /control/processes': { processes: [] },
      'GET /control/doctor': { checks: [{ name: 'Docker engine', ok: true, detail: 'answers' }], nativeUsable: true },
      'POST /control/stack/up': ({ query }: { query: URLSearchParams }) => (ups.push(query.get('provider')), { status: 202, body: { accepted: true } }),
    });
    render(StackScreen, { intervalMs: 60_000 });
    await screen.findByRole('heading', { name: "Docker cannot download the stack's images" });
    expect(screen.queryByText('Start the stack to begin')).toBeNull();
    const use = await screen.findByRole('button', { name: /Use the native provider/ });
    await waitFor(() => expect((use as HTMLButtonElement).disabled).toBe(false));
    use.click();
    await waitFor(() => expect(ups).toEqual(['native']));
  });

  it('a Docker engine that cannot pull and no Java: the switch is offered but disabled, the doctor says why', async () => {
    installFakeClient({
      'GET /control/stack': { provider: 'docker', phase: 'error', errorCode: 'IMAGE_UNAVAILABLE', error: 'cannot pull', services: [] },
      'GET /control/processes': { processes: [] },
      'GET /control/doctor': { checks: [{ name: 'Java 17+', ok: false, detail: 'no java on PATH', fix: 'sudo apt-get install -y openjdk-17-jre-headless' }], nativeUsable: false },
    });
    render(StackScreen, { intervalMs: 60_000 });
    await screen.findByText(/The native provider cannot run here either/);
    expect((screen.getByRole('button', { name: /Use the native provider/ }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('on a remembered native provider: says so and offers Docker back when an engine answers', async () => {
    const ups: (string | null)[] = [];
    installFakeClient({
      'GET /control/stack': { provider: 'native', phase: 'running', providerHow: 'saved', savedProvider: 'native', error: null, errorCode: null, services: [svc('kafka', 'running'), svc('cassandra', 'running'), svc('redis', 'running')] },
      'GET /control/processes': { processes: [] },
      'GET /control/doctor': { checks: [{ name: 'Docker engine', ok: true, detail: 'answers' }], nativeUsable: true },
      'POST /control/stack/up': ({ query }: { query: URLSearchParams }) => (ups.push(query.get('provider')), { status: 202, body: { accepted: true } }),
    });
    render(StackScreen, { intervalMs: 60_000 });
    await screen.findByRole('heading', { name: 'Running without Docker' });
    const back = screen.getByRole('button', { name: 'Switch to Docker' }) as HTMLButtonElement;
    await waitFor(() => expect(back.disabled).toBe(false));
    back.click();
    await waitFor(() => expect(ups).toEqual(['docker']));
  });
});
