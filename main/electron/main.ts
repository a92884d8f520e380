/**
 * Composition root of the desktop app (bundled to dist/main/electron/main.cjs).
 * Hosts the same ControlPlane as `topk serve`, with the engine processes run
 * by Electron's utilityProcess, and shows it in one hardened window.
 */
import { app, dialog, safeStorage } from 'electron';
import Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appRoot, cqlDir, nativeStackDir } from '../../engine/shared/app-paths';
import { loadConfig } from '../../engine/shared/config';
import { ConfigError } from '../../engine/shared/config-checks';
import type { Config } from '../../engine/shared/config';
import { createLogger } from '../../engine/shared/logger';
import { ControlPlane } from '../control/control-plane';
import { migrate } from '../migrate/migrator';
import { createNativeProvider } from '../stack/native-provider';
import { findJava, javaMajorVersion, MIN_JAVA, which } from '../stack/prereqs';
import { StackManager } from '../stack/stack-manager';
import { ControlPlaneAdapter, loadDesktopPrefs } from './control-plane-adapter';
import { DesktopShell } from './desktop-shell';
import { SafeStorageVault } from './safe-storage-vault';
import { checkContainerEngine } from './engine-check';
import { UtilityProcessLauncher } from './utility-process-launcher';

const here = dirname(fileURLToPath(import.meta.url));
const root = appRoot(here);
// stack/ and cql/ are extra resources next to app.asar when packaged; app-paths (and the
// engine processes, which inherit the environment) find them through TOPK_RESOURCES_DIR
process.env.TOPK_RESOURCES_DIR ??= app.isPackaged ? process.resourcesPath : root;

const log = createLogger('desktop');

function readConfig(): Config | undefined {
  try {
    return loadConfig();
  } catch (err) {
    const message = err instanceof ConfigError ? err.message : String(err);
    log.error({ err: message }, 'invalid configuration');
    void app.whenReady().then(() => {
      dialog.showErrorBox('Heavy Rotation: invalid configuration', message);
      app.exit(2);
    });
    return undefined;
  }
}

function pingDocker(): Promise<void> {
  return new Docker({ timeout: 3000 }).ping().then(() => undefined);
}

async function main(): Promise<void> {
  const config = readConfig();
  if (!config) return;
  log.level = config.logLevel;
  // the provider chosen earlier: config.json (stackProvider), else desktop.json of an older version
  const legacy = config.stackProvider ? undefined : loadDesktopPrefs(config.dataDir).provider;
  const preferred = config.stackProvider === 'docker' || config.stackProvider === 'native' ? config.stackProvider : legacy;
  const assets = join(here, 'assets');

  const shell = new DesktopShell({
    dataDir: config.dataDir,
    preloadPath: join(here, 'preload.cjs'),
    trayIconPath: join(assets, process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
    ...(existsSync(join(assets, 'icon.png')) ? { windowIconPath: join(assets, 'icon.png') } : {}),
    devTools: !app.isPackaged,
    log,
    settings: () => ({ stopStackOnQuit: loadConfig({ persistToken: false }).stopStackOnQuit }),
    checkEngine: () =>
      checkContainerEngine({
        platform: process.platform,
        pingDocker,
        which: (cmd) => which(cmd),
        findJava: () => findJava(),
        javaMajorVersion,
        minJava: MIN_JAVA,
        ...(preferred ? { preferredProvider: preferred } : {}),
      }),
    startControlPlane: async () => {
      const manager = new StackManager(config);
      manager.register('native', (c) => createNativeProvider(c, { stackDir: nativeStackDir() }));
      const cp = new ControlPlane({
        config,
        ...(legacy ? { provider: legacy } : {}),
        stackManager: manager,
        // utilityProcess needs a real directory as cwd (not one inside app.asar)
        launcher: new UtilityProcessLauncher({ cwd: app.isPackaged ? config.dataDir : root }),
        migrate: (c, l, mo) => migrate(c, l, { ...mo, dir: cqlDir() }),
        // OS keychain when it really encrypts (on Linux not with basic_text); else the AES key file
        auth: SafeStorageVault.usable(safeStorage) ? { vault: new SafeStorageVault(safeStorage) } : {},
      });
      await cp.startServer();
      return new ControlPlaneAdapter(cp, config.dataDir);
    },
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  await shell.start();
}

main().catch((err: unknown) => {
  log.fatal({ err: String(err) }, 'desktop app failed');
  app.exit(1);
});
