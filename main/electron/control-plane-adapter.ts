import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlPlane, ControlPlaneStatus } from '../control/control-plane';
import type { ShellControlPlane, StackSummary } from './shell-ports';

/**
 * The desktop's own small preferences: `$TOPK_DATA_DIR/desktop.json`. Read only, for a provider
 * picked on the Docker help page by an older version; the choice now lives in config.json
 * (`stackProvider`), where the control plane saves it.
 */
export interface DesktopPrefs {
  /** the provider the user picked on the Docker help page (older versions) */
  provider?: 'docker' | 'native';
}

export function desktopPrefsFile(dataDir: string): string {
  return join(dataDir, 'desktop.json');
}

export function loadDesktopPrefs(dataDir: string): DesktopPrefs {
  try {
    const raw = JSON.parse(readFileSync(desktopPrefsFile(dataDir), 'utf8')) as Record<string, unknown>;
    return raw.provider === 'docker' || raw.provider === 'native' ? { provider: raw.provider } : {};
  } catch {
    return {};
  }
}

/** Folds the control plane's status into the one word the tray shows. */
export function summarize(s: ControlPlaneStatus): StackSummary {
  const provider = s.provider ?? 'auto';
  if (s.phase === 'error') return { state: 'error', provider, ...(s.error ? { detail: s.error } : {}) };
  if (s.phase === 'starting' || s.phase === 'stopping') return { state: 'starting', provider };
  const running = s.services.filter((x) => x.state === 'running').length;
  if (s.services.length > 0 && running === s.services.length) {
    const down = s.processes.filter((p) => p.state !== 'running');
    return down.length === 0 ? { state: 'running', provider } : { state: 'partial', provider, detail: `engine: ${down.map((p) => `${p.name} ${p.state}`).join(', ')}` };
  }
  if (running > 0) return { state: 'partial', provider };
  return { state: s.phase === 'running' ? 'partial' : 'stopped', provider };
}

/** The real ControlPlane, seen through the shell's port. */
export class ControlPlaneAdapter implements ShellControlPlane {
  constructor(
    private readonly cp: ControlPlane,
    private readonly dataDir: string,
  ) {}

  get baseUrl(): string {
    return this.cp.url;
  }

  get token(): string {
    return this.cp.token;
  }

  async stackSummary(): Promise<StackSummary> {
    return summarize(await this.cp.status());
  }

  /**
   * The control plane picks docker when an engine answers, else native; a
   * provider chosen on the Docker help page is saved by it (config.json) for next time.
   */
  async stackUp(provider?: 'docker' | 'native'): Promise<void> {
    await this.cp.up(provider ? { provider } : {});
  }

  stackDown(): Promise<void> {
    return this.cp.down();
  }

  close(opts: { stopStack: boolean }): Promise<void> {
    return this.cp.stop({ stackDown: opts.stopStack });
  }
}
