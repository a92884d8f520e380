import type { EngineApi } from './api/engine';

const NAMES = [
  'Ada', 'Bruno', 'Chiara', 'Dmitri', 'Esme', 'Farid', 'Greta', 'Hiro', 'Imani', 'Jonas', 'Kaia', 'Luca',
  'Mira', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tala', 'Umar', 'Vera', 'Wen', 'Ximena',
  'Yusuf', 'Zoe', 'Anouk', 'Bilal', 'Cleo', 'Dario', 'Elif', 'Finn', 'Gaia', 'Hugo', 'Ines', 'Jude',
];

export interface DemoUser {
  user_id: string;
  display_name: string;
  seed: number;
  listens_per_day: number;
}

/** A few dozen demo users; each simulator seed gives a different taste, listening volume varies too. */
export function demoUsers(count = 36): DemoUser[] {
  return Array.from({ length: Math.min(count, NAMES.length) }, (_, i) => {
    const name = NAMES[i] ?? `Listener ${i + 1}`;
    return {
      user_id: `demo-${name.toLowerCase()}`,
      display_name: name,
      seed: 1000 + i * 7919,
      listens_per_day: 20 + ((i * 37) % 9) * 10,
    };
  });
}

export interface DemoProgress {
  done: number;
  total: number;
  current?: string;
  failed: { user_id: string; message: string }[];
}

/**
 * Creates the demo users, connects the simulator for each and starts a first
 * crawl. Two requests run at a time so the UI stays responsive.
 */
export async function loadDemoUsers(api: EngineApi, onProgress: (p: DemoProgress) => void, signal?: AbortSignal, count = 36): Promise<DemoProgress> {
  const users = demoUsers(count);
  const p: DemoProgress = { done: 0, total: users.length, failed: [] };
  onProgress({ ...p });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < users.length && !signal?.aborted) {
      const u = users[next++];
      if (!u) break;
      p.current = u.display_name;
      try {
        await api.putUser(u.user_id, { display_name: u.display_name });
        await api.connectSource(u.user_id, 'simulator', { seed: u.seed, listens_per_day: u.listens_per_day });
        await api.crawlNow(u.user_id, 'simulator');
      } catch (e) {
        p.failed.push({ user_id: u.user_id, message: (e as Error).message });
      }
      p.done++;
      onProgress({ ...p, failed: [...p.failed] });
    }
  };
  await Promise.all([worker(), worker()]);
  p.current = undefined;
  return p;
}

/** How many demo users "Load demo users" creates: 36, or `?demo_users=N` in the page address (tests use a few). */
export function demoCountFromUrl(search: string = typeof location === 'undefined' ? '' : location.search): number {
  const n = Number(new URLSearchParams(search).get('demo_users'));
  return Number.isInteger(n) && n > 0 && n <= 36 ? n : 36;
}
