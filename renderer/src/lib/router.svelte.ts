export type RouteId = 'charts' | 'activity' | 'sources' | 'stack' | 'logs' | 'kafka' | 'cassandra' | 'redis' | 'account';

export interface RouteDef {
  id: RouteId;
  label: string;
  icon: string;
  group: 'music' | 'system' | 'inspect' | 'account';
}

export const ROUTES: RouteDef[] = [
  { id: 'charts', label: 'Top charts', icon: 'chart', group: 'music' },
  { id: 'activity', label: 'Listening activity', icon: 'clock', group: 'music' },
  { id: 'sources', label: 'Sources & crawls', icon: 'source', group: 'music' },
  { id: 'stack', label: 'Stack', icon: 'stack', group: 'system' },
  { id: 'logs', label: 'Logs', icon: 'logs', group: 'system' },
  { id: 'kafka', label: 'Kafka', icon: 'kafka', group: 'inspect' },
  { id: 'cassandra', label: 'Cassandra', icon: 'cassandra', group: 'inspect' },
  { id: 'redis', label: 'Redis', icon: 'redis', group: 'inspect' },
  { id: 'account', label: 'Settings & account', icon: 'settings', group: 'account' },
];

const IDS = new Set<string>(ROUTES.map((r) => r.id));

export function parseRoute(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return IDS.has(id) ? (id as RouteId) : 'charts';
}

/** Hash routing (`#/charts`): works from file://, Electron and any static server. */
export const router = $state({ route: parseRoute(typeof location === 'undefined' ? '' : location.hash) });

export function navigate(id: RouteId): void {
  router.route = id;
  if (typeof location !== 'undefined' && parseRoute(location.hash) !== id) location.hash = `#/${id}`;
}

export function startRouter(): () => void {
  const onHash = (): void => {
    router.route = parseRoute(location.hash);
  };
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}
