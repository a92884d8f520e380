import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { appRoot } from '../../../engine/shared/app-paths';
import { loadConfig } from '../../../engine/shared/config';
import type { Config } from '../../../engine/shared/config';
import { ControlPlane } from '../../control/control-plane';
import type { StackProgress } from '../../control/control-server';
import { UnknownProviderError } from '../../stack/stack-manager';
import { UsageError, refuseExtraArgs, runWithArgs } from '../cli-args';

/**
 * Builds the UI when it is missing or older than its sources (scripts/ensure-ui.mjs, in a
 * checkout; the packaged app ships its build). A failed build is reported, not fatal: the
 * control server then shows how to build it, and serves the build as soon as there is one.
 */
export function ensureUi(): void {
  const script = join(appRoot(), 'scripts', 'ensure-ui.mjs');
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) console.error(`topk: building the user interface failed (exit ${r.status ?? r.signal}); the engine starts anyway`);
}

export const SERVE_USAGE = 'usage: topk serve [--provider docker|native|external] [--down] [--port N]';

function get(url: string, token?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Waits until the UI and the proxied API both answer. */
async function waitAnswering(url: string, token: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const [ui, api] = await Promise.all([get(`${url}/`), get(`${url}/api/readyz`, token)]);
    if (ui === 200 && api === 200) return;
    if (Date.now() > end) throw new Error(`the UI (HTTP ${ui || 'no answer'}) or the API (HTTP ${api || 'no answer'}) did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function printProgress(e: StackProgress): void {
  console.log(`[${e.service}] ${e.message}${e.percent !== undefined && e.phase !== 'ready' ? ` (${Math.round(e.percent)}%)` : ''}`);
}

/**
 * Progress lines on stdout; a failed stack operation on stderr, once: `printed()` tells whether an
 * error was already printed, so the start's own catch does not print it again.
 */
function progressPrinter(): { print: (e: StackProgress) => void; printed: (message: string) => boolean } {
  const errors = new Set<string>();
  return {
    print: (e) => {
      if (e.service === 'stack' && e.phase === 'error') {
        errors.add(e.message);
        console.error(`topk: ${e.message}`);
      } else printProgress(e);
    },
    printed: (message) => errors.has(message),
  };
}

/**
 * `topk serve`: stack up (with progress), migrations, engine processes,
 * control server; prints `ready <url>` when the UI and API answer.
 * SIGINT/SIGTERM stop the engine and the server; the stack keeps running
 * unless --down was given.
 */
export async function run(args: string[]): Promise<number> {
  return runWithArgs(args, { provider: { type: 'string' }, down: { type: 'boolean' }, port: { type: 'string' } }, SERVE_USAGE, async ({ values, positionals }) => {
    refuseExtraArgs(positionals, SERVE_USAGE);
    const overrides: Partial<Config> = {};
    if (values.port !== undefined) {
      const port = Number(values.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be an integer between 1 and 65535, got ${JSON.stringify(values.port)}\n${SERVE_USAGE}`);
      overrides.port = port;
    }
    const config = loadConfig({ overrides });
    // a closed terminal or pipe must not crash us before the engine is stopped
    for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
    console.log(`data dir: ${config.dataDir}`);
    ensureUi();
    const progress = progressPrinter();
    const plane = new ControlPlane({ config, provider: values.provider, onProgress: progress.print });

    let stopping: Promise<number> | undefined;
    const stop = (why: string): Promise<number> => {
      stopping ??= (async () => {
        console.log(`stopping (${why})${values.down ? '; the stack goes down too' : '; the stack keeps running'}`);
        try {
          await plane.stop({ stackDown: values.down === true });
          console.log('stopped');
          return 0;
        } catch (err) {
          console.error(`topk: stopping failed: ${(err as Error).message}`);
          return 1;
        }
      })();
      return stopping;
    };
    let signalled: ((code: number) => void) | undefined;
    const done = new Promise<number>((r) => (signalled = r));
    let firstSignalAt = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      // a terminal's Ctrl-C arrives twice (directly and via the bin wrapper): only a later signal forces
      if (stopping && Date.now() - firstSignalAt < 2000) return;
      if (stopping) {
        console.error(`topk: ${sig} again; exiting now`);
        process.exit(130);
      }
      firstSignalAt = Date.now();
      void stop(sig).then((code) => signalled?.(code));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      try {
        const { url } = await plane.start();
        await waitAnswering(url, config.apiToken, 60_000);
        if (stopping) return await stopping;
        console.log(`ready ${url}/`);
        if (process.stdout.isTTY) console.log(`open ${url}/#token=${config.apiToken} in a browser (the token is also in ${config.dataDir}/api-token)`);
        else console.log(`token: ${config.dataDir}/api-token`);
      } catch (err) {
        if (stopping) return await stopping;
        if (err instanceof UnknownProviderError) {
          await plane.stop().catch(() => undefined);
          throw new UsageError(`${err.message}\n${SERVE_USAGE}`);
        }
        if (!progress.printed((err as Error).message)) console.error(`topk: ${(err as Error).message}`);
        await stop('start failed');
        return 1;
      }
      return await done;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
