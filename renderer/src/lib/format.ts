export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat('en').format(n);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatInterval(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? 'daily' : `every ${seconds / 86400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hourly' : `every ${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds}s`;
}

export function toDate(t: string | number | null | undefined): Date | undefined {
  if (t === null || t === undefined || t === '') return undefined;
  const d = typeof t === 'number' ? new Date(t) : /^\d+$/.test(t) ? new Date(Number(t)) : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** "just now", "5 min ago", "in 3 min", or a date for older times. */
export function relativeTime(t: string | number | null | undefined, now = Date.now()): string {
  const d = toDate(t);
  if (!d) return '—';
  const diff = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(diff);
  const fmt = (v: number, unit: string): string => (diff < 0 ? `${v} ${unit} ago` : `in ${v} ${unit}`);
  if (abs < 10) return diff <= 0 ? 'just now' : 'in a moment';
  if (abs < 60) return fmt(abs, 's');
  if (abs < 3600) return fmt(Math.round(abs / 60), 'min');
  if (abs < 86400) return fmt(Math.round(abs / 3600), 'h');
  if (abs < 7 * 86400) return fmt(Math.round(abs / 86400), abs < 2 * 86400 ? 'day' : 'days');
  return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
}

export function formatTime(t: string | number | null | undefined): string {
  const d = toDate(t);
  if (!d) return '—';
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
