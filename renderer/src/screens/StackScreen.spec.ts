// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/svelte';
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
});
