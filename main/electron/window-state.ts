import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** undefined on first start: let the OS place the window */
  bounds: Partial<Bounds> & { width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { bounds: { width: 1280, height: 820 }, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;

export function windowStateFile(dataDir: string): string {
  return join(dataDir, 'window-state.json');
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function intersects(a: Bounds, b: Bounds): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * The remembered window placement, sanitised: sizes are clamped, and a
 * position that no longer lies on any display (a monitor was unplugged) is
 * dropped so the window appears where the OS puts it.
 */
export function loadWindowState(file: string, workAreas: Bounds[]): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return structuredClone(DEFAULT_WINDOW_STATE);
  }
  if (typeof raw !== 'object' || raw === null) return structuredClone(DEFAULT_WINDOW_STATE);
  const r = raw as Record<string, unknown>;
  const b = (typeof r.bounds === 'object' && r.bounds !== null ? r.bounds : {}) as Record<string, unknown>;
  const width = isInt(b.width) ? Math.max(MIN_WIDTH, Math.round(b.width)) : DEFAULT_WINDOW_STATE.bounds.width;
  const height = isInt(b.height) ? Math.max(MIN_HEIGHT, Math.round(b.height)) : DEFAULT_WINDOW_STATE.bounds.height;
  const state: WindowState = { bounds: { width, height }, maximized: r.maximized === true };
  if (isInt(b.x) && isInt(b.y)) {
    const placed = { x: Math.round(b.x), y: Math.round(b.y), width, height };
    if (workAreas.some((area) => intersects(placed, area))) state.bounds = placed;
  }
  return state;
}

/** Writes atomically (temp file + rename) so a crash never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}
