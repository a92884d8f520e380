import { join } from 'node:path';
import type { Config } from '../../../engine/shared/config';
import { loadConfig } from '../../../engine/shared/config';
import { DeviceFlowError } from '../../auth/device-flow';
import type { GitHubAppStatus } from '../../auth/github-app';
import { githubAppStatus, parseClientId, saveClientId } from '../../auth/github-app';
import type { CliIo } from './auth-cli';
import { UsageError } from '../cli-args';
import { bigCode, consoleIo, controlServer, localAuth, openBrowser } from './auth-cli';

export const LOGIN_USAGE = 'usage: topk login [--client-id ID] [--no-browser] [--loopback] [--local]';

interface LoginArgs {
  browser: boolean;
  loopback: boolean;
  local: boolean;
  /** the Client ID of the user's GitHub OAuth App, saved in config.json */
  clientId?: string;
}

function parse(argv: string[]): LoginArgs {
  const a: LoginArgs = { browser: true, loopback: false, local: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--client-id' || arg.startsWith('--client-id=')) {
      const v = arg === '--client-id' ? argv[++i] : arg.slice('--client-id='.length);
      if (!v) throw new UsageError(`--client-id needs the Client ID of your GitHub OAuth App\n${LOGIN_USAGE}`);
      a.clientId = v;
    } else if (arg === '--no-browser') a.browser = false;
    else if (arg === '--loopback') a.loopback = true;
    else if (arg === '--local') a.local = true;
    else throw new UsageError(`unknown option ${arg}\n${LOGIN_USAGE}`);
  }
  return a;
}

function showCode(io: CliIo, code: { user_code: string; verification_uri: string }, browser: boolean): void {
  io.out('To sign in to Heavy Rotation with GitHub, enter this code:');
  io.out('');
  for (const l of bigCode(code.user_code)) io.out(l);
  io.out('');
  io.out(`at ${code.verification_uri}`);
  if (browser) io.out(openBrowser(code.verification_uri) ? '(opened in your browser)' : '(could not open a browser; open the address yourself)');
  io.out('Waiting for GitHub…');
}

type Server = NonNullable<Awaited<ReturnType<typeof controlServer>>>;

/**
 * Makes sure a GitHub OAuth App client id is configured before signing in: the one given with
 * --client-id, else the configured one, else it explains how to register an OAuth App and asks
 * for its Client ID. Saved in config.json (through the running app when one answers).
 * Returns the config to sign in with, or an exit code.
 */
async function ensureClientId(args: LoginArgs, io: CliIo, config: Config, server: Server | undefined): Promise<Config | number> {
  const fromEnv = config.fromEnv.includes('githubClientId');
  const status = server ? ((await server.call('GET', '/control/auth/github-app')).json as unknown as GitHubAppStatus) : githubAppStatus(config.githubClientId, fromEnv, config.githubUrl);
  let id = args.clientId;
  if (id === undefined) {
    if (status.configured) return config;
    io.out('Heavy Rotation signs in through a GitHub OAuth App of your own, and none is configured yet. To register one:');
    status.steps.forEach((s, i) => io.out(`  ${i + 1}. ${s}`));
    id = (await io.ask?.('Client ID: '))?.trim();
    if (!id) {
      io.err('No client id given: run `topk login --client-id <Client ID>` (or set TOPK_GITHUB_CLIENT_ID).');
      return 2;
    }
  }
  if (server) {
    const r = await server.call('PUT', '/control/auth/github-app', { client_id: id });
    if (r.status !== 200) {
      io.err(`Cannot save the client id: ${(r.json.error as { message?: string } | undefined)?.message ?? `HTTP ${r.status}`}`);
      return r.status === 400 ? 2 : 1;
    }
  } else {
    try {
      id = parseClientId(id);
    } catch (err) {
      io.err((err as Error).message);
      return 2;
    }
    saveClientId(config.dataDir, id);
  }
  io.out(`Saved the client id in ${join(config.dataDir, 'config.json')}.${fromEnv ? ' (TOPK_GITHUB_CLIENT_ID is set and wins over it.)' : ''}`);
  return fromEnv ? config : { ...config, githubClientId: id };
}

/**
 * `topk login`: GitHub device flow. Uses the running app's control server when
 * one answers (it records the user in Cassandra), else signs in in-process.
 * `--loopback` uses the browser redirect flow (needs TOPK_GITHUB_CLIENT_SECRET).
 * Without a configured OAuth App it first explains how to register one and asks for its id.
 * Exit codes: 0 signed in, 1 sign-in failed, 2 bad usage (or no client id).
 */
export async function loginCommand(argv: string[], io: CliIo = consoleIo, initial: Config = loadConfig()): Promise<number> {
  let args: LoginArgs;
  try {
    args = parse(argv);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const server = args.local || args.loopback ? undefined : await controlServer(initial);
  const config = await ensureClientId(args, io, initial, server);
  if (typeof config === 'number') return config;
  if (args.loopback) {
    if (!config.githubClientSecret) {
      io.err('--loopback needs an OAuth app with a secret: set TOPK_GITHUB_CLIENT_SECRET (the device flow needs none)');
      return 2;
    }
    const local = await localAuth(config);
    try {
      const acc = await local.auth.loginLoopback((url) => {
        io.out('Opening GitHub in your browser to sign in:');
        io.out(url);
        if (args.browser) openBrowser(url);
      });
      io.out(`Signed in as ${acc.login} (user ${acc.user_id}).`);
      return 0;
    } catch (err) {
      io.err(`Sign-in failed: ${(err as Error).message}`);
      return 1;
    } finally {
      await local.close();
    }
  }

  if (server) return viaServer(server, io, args);

  const local = await localAuth(config);
  try {
    const code = await local.auth.startDevice();
    showCode(io, code, args.browser);
    const acc = await local.auth.waitDevice();
    await local.auth.idle();
    if (!acc) {
      const s = local.auth.deviceStatus();
      io.err(`Sign-in failed: ${s?.error ?? s?.state ?? 'unknown error'}`);
      return 1;
    }
    io.out(`Signed in as ${acc.login} (user ${acc.user_id}).`);
    if (!local.cassandra) io.out('(the stack is not running: the account becomes an app user when Heavy Rotation next starts)');
    return 0;
  } catch (err) {
    io.err(`Sign-in failed: ${err instanceof DeviceFlowError ? err.message : (err as Error).message}`);
    return 1;
  } finally {
    await local.close();
  }
}

async function viaServer(server: Server, io: CliIo, args: LoginArgs): Promise<number> {
  const started = await server.call('POST', '/control/auth/device');
  if (started.status !== 201) {
    io.err(`Sign-in failed: ${(started.json.error as { message?: string } | undefined)?.message ?? `HTTP ${started.status}`}`);
    return 1;
  }
  const code = started.json as { user_code: string; verification_uri: string; interval: number };
  showCode(io, code, args.browser);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await server.call('GET', '/control/auth/device');
    const st = s.json as { state?: string; user_id?: string; error?: string; user_code?: string };
    if (s.status !== 200 || st.user_code !== code.user_code) {
      io.err('Sign-in failed: the sign-in was replaced or cancelled in the app');
      return 1;
    }
    if (st.state === 'approved' && st.user_id) {
      const state = await server.call('GET', '/control/auth');
      const acc = (state.json.accounts as { user_id: string; login: string }[]).find((a) => a.user_id === st.user_id);
      io.out(`Signed in as ${acc?.login ?? st.user_id} (user ${st.user_id}).`);
      return 0;
    }
    if (st.state && !['pending', 'slow_down', 'approved'].includes(st.state)) {
      io.err(`Sign-in failed: ${st.error ?? st.state}`);
      return 1;
    }
  }
}

export function run(args: string[]): Promise<number> {
  return loginCommand(args);
}
