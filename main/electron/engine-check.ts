import type { EngineReport } from './docker-help';

export interface EngineCheckDeps {
  platform: NodeJS.Platform;
  /** resolves when a Docker engine answers a ping; rejects with the reason otherwise */
  pingDocker: () => Promise<void>;
  /** path of a command on PATH, or undefined */
  which: (cmd: string) => string | undefined;
  /** path of a java binary, or undefined */
  findJava: () => string | undefined;
  javaMajorVersion: (java: string) => Promise<{ major: number; version: string } | undefined>;
  minJava: number;
  /** the provider the user picked before ("native" skips the Docker check) */
  preferredProvider?: string;
}

/**
 * undefined when the stack can run as configured; otherwise what the Docker
 * help page needs to know (is the CLI installed, why did the engine not
 * answer, is there a Java for the native stack).
 */
export async function checkContainerEngine(d: EngineCheckDeps): Promise<EngineReport | undefined> {
  if (d.preferredProvider && d.preferredProvider !== 'docker') return undefined;
  let detail: string;
  try {
    await d.pingDocker();
    return undefined;
  } catch (err) {
    detail = err instanceof Error ? err.message : String(err);
  }
  const report: EngineReport = {
    platform: d.platform,
    dockerCli: Boolean(d.which('docker') ?? (d.platform === 'win32' ? d.which('docker.exe') : undefined)),
    detail,
  };
  const java = d.findJava();
  if (java) {
    const v = await d.javaMajorVersion(java).catch(() => undefined);
    if (v && v.major >= d.minJava) report.javaVersion = v.version;
    else if (v) report.javaTooOld = v.version;
  }
  return report;
}
