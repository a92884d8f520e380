// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeClient } from '../../../test/renderer/fake-client';
import { session } from '../lib/session.svelte';
import ChartsScreen from './ChartsScreen.svelte';

const users = { users: [{ user_id: 'alice', display_name: 'Alice' }] };
const top = (n: number) => ({
  user_id: 'alice', days: 7, limit: 10, offset: 0, total: n,
  results: Array.from({ length: n }, (_, i) => ({ rank: i + 1, song_id: `s${i}`, title: `Song ${i}`, artist: `Artist ${i}`, listen_count: 10 - i })),
});

describe('ChartsScreen', () => {
  beforeEach(() => {
    localStorage.clear();
    session.userId = null;
    session.userChosen = false;
    session.users = [];
  });

  it('shows the ranked tracks of the picked user with play counts, and recent listens', async () => {
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': top(3),
      'GET /api/v1/users/alice/listens': { listens: [{ listened_at: Date.now() - 60_000, song_id: 's0', title: 'Song 0', artist: 'Artist 0', source: 'simulator' }] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    expect(screen.getByRole('status', { name: 'Loading chart' })).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Top tracks' });
    expect(list.querySelectorAll('li')).toHaveLength(3);
    expect(screen.getAllByText('Song 0').length).toBeGreaterThan(0);
    expect(screen.getByText('Artist 1')).toBeTruthy();
    expect(screen.getByLabelText('Rank 1')).toBeTruthy();
    await screen.findByText('1 min ago');
  });

  it('names whose recent listens show beside the friends chart', async () => {
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': top(2),
      'GET /api/v1/users/alice/friends/top/tracks/movement': top(1),
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    await screen.findByRole('heading', { name: 'Recent listens' });
    (await screen.findByRole('button', { name: 'Friends' })).click();
    await screen.findByRole('heading', { name: 'Recent listens of Alice' });
    expect(screen.queryByRole('heading', { name: 'Recent listens' })).toBeNull();
  });

  it('tells the user what to do when there are no listens', async () => {
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': top(0),
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    await screen.findByText('No listens yet');
    expect(screen.getByText(/Connect a source .* and run a crawl/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connect a source' })).toBeTruthy();
  });

  it('offers only windows within the retention the API declares', async () => {
    const days = { name: 'days', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 14 } };
    installFakeClient({
      'GET /api/openapi.json': { paths: { '/v1/users/{user_id}/top/{kind}': { get: { parameters: [days] } } } },
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': top(1),
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    await screen.findByRole('button', { name: '14 days' });
    const windows = screen.getByRole('group', { name: 'Window' });
    expect([...windows.querySelectorAll('button')].map((b) => b.textContent?.trim())).toEqual(['Today', '7 days', '14 days', 'Custom']);
  });

  it('shows the API error with a retry button', async () => {
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': { status: 400, body: { error: { code: 'bad_request', message: 'days must be between 1 and 7', field: 'days' } } },
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('days must be between 1 and 7');
    expect(screen.getByRole('button', { name: /Retry/ })).toBeTruthy();
  });

  it('says how to get users when there are none, and never names a "No user"', async () => {
    installFakeClient({ 'GET /api/v1/users': { users: [] } });
    const { container } = render(ChartsScreen, { intervalMs: 60_000 });
    await waitFor(() => expect(screen.getByText('No users yet', { selector: 'h3' })).toBeTruthy());
    expect(container.textContent).not.toContain('No user.');
    expect(container.textContent).toContain('once there is a user');
  });

  it('shows each row\'s movement against the previous window (↑, ↓, NEW, =)', async () => {
    const moves = [
      { previous_rank: 4, change: 'up', delta: 3 },
      { previous_rank: 1, change: 'down', delta: -1 },
      { previous_rank: null, change: 'new', delta: null },
      { previous_rank: 4, change: 'same', delta: 0 },
    ];
    const t = top(4);
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': {
        ...t,
        covered: true,
        previous: { from: '2026-11-16', to: '2026-11-22', total: 9 },
        results: t.results.map((r, i) => ({ ...r, ...moves[i] })),
      },
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    render(ChartsScreen, { intervalMs: 60_000 });
    const list = await screen.findByRole('list', { name: 'Top tracks' });
    expect([...list.querySelectorAll('.move')].map((e) => e.textContent?.trim())).toEqual(['↑3', '↓1', 'NEW', '=']);
    expect(screen.getByLabelText('Up 3 from #4')).toBeTruthy();
    expect(screen.getByText(/compare with the previous 7 days \(2026-11-16 – 2026-11-22\)/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Export this chart as PNG' })).toBeTruthy();
  });

  it('says why there is no movement when retention does not hold the previous window', async () => {
    installFakeClient({
      'GET /api/v1/users': users,
      'GET /api/v1/users/alice/top/tracks/movement': { ...top(2), covered: false, previous: null, reason: 'the 7 days before 2026-11-23 start on 2026-11-16, before the oldest day kept' },
      'GET /api/v1/users/alice/listens': { listens: [] },
    });
    const { container } = render(ChartsScreen, { intervalMs: 60_000 });
    await screen.findByRole('list', { name: 'Top tracks' });
    expect(container.querySelectorAll('.move')).toHaveLength(0);
    expect(screen.getByText(/No movement shown: the 7 days before 2026-11-23/)).toBeTruthy();
  });
});
