/**
 * Merges a fresh result list into the current one, keeping the object of every
 * row whose content did not change, so keyed lists re-render only changed rows.
 * Returns the merged list and the keys that are new or changed.
 */
export function mergeRows<T extends object>(prev: readonly T[], next: readonly T[], key: (r: T) => string): { rows: T[]; changed: Set<string> } {
  const old = new Map(prev.map((r) => [key(r), r]));
  const changed = new Set<string>();
  const rows = next.map((r) => {
    const k = key(r);
    const o = old.get(k);
    if (o && shallowEqual(o, r)) return o;
    changed.add(k);
    return r;
  });
  return { rows, changed };
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}
