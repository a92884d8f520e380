import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { appRoot } from '../../../engine/shared/app-paths';
import { ensureUi, run as serve } from './serve';

/** The Electron binary when it is installed (require('electron') from node gives its path). */
export function electronBinary(): string | undefined {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `topk start` (what `npm start` runs): the desktop app when the Electron
 * binary is installed, otherwise `topk serve` with a one-line explanation.
 */
export async function run(args: string[]): Promise<number> {
  const electron = electronBinary();
  if (!electron) {
    console.log('the Electron binary is not installed (npm skipped its download), so Heavy Rotation runs headless: open the printed URL in a browser');
    return serve(args);
  }
  const root = appRoot();
  const main = join(root, 'dist', 'main', 'electron', 'main.cjs');
  if (!existsSync(main)) {
    console.log('building the desktop app (npm run build) …');
    const code = await new Promise<number>((resolve) => spawn(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1)));
    if (code !== 0) return code;
  }
  ensureUi();
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, [root, ...args], { cwd: root, stdio: 'inherit', env });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
    child.on('error', (err) => {
      console.error(`topk: could not start Electron: ${err.message}`);
      resolve(1);
    });
  });
}
