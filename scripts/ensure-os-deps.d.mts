export type Purpose = 'start' | 'test' | 'ci';
export type Tool = 'java' | 'mvn' | 'redis-server' | 'chromium' | 'dockerd' | 'debootstrap' | 'python3-venv';
export interface Machine {
  purpose: Purpose;
  env: Record<string, string | undefined>;
  platform: string;
  osRelease: string | undefined;
  isRoot: boolean;
  has(tool: Tool): boolean;
  dockerEngine: boolean;
}
export interface Decision {
  action: 'none' | 'apt' | 'print';
  missing: Tool[];
  packages?: string[];
  command?: string;
}
export function neededTools(purpose: Purpose, env: Record<string, string | undefined>, dockerEngine: boolean): Tool[];
export function systemFamily(platform: string, osRelease: string | undefined): 'apt' | 'dnf' | 'pacman' | 'apk' | 'brew' | undefined;
export function decide(m: Machine): Decision;
