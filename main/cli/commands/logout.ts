import type { Config } from '../../../engine/shared/config';
import { loadConfig } from '../../../engine/shared/config';
import type { CliIo } from './auth-cli';
import { consoleIo, localAuth } from './auth-cli';

export const LOGOUT_USAGE = 'usage: topk logout [login]';

/**
 * `topk logout [login]`: signs out the given account (default: the active
 * one): the token is revoked at GitHub when the app has a client secret, and
 * deleted. A running app sees the change at once (accounts.json).
 */
export async function logoutCommand(argv: string[], io: CliIo = consoleIo, config: Config = loadConfig()): Promise<number> {
  if (argv.length > 1 || argv.some((a) => a.startsWith('-'))) {
    io.err(LOGOUT_USAGE);
    return 2;
  }
  const local = await localAuth(config, { cassandra: false });
  try {
    const userId = argv[0]?.toLowerCase() ?? (await local.auth.accounts.activeUserId());
    if (!userId) {
      io.err('Not signed in.');
      return 1;
    }
    const r = await local.auth.signOut(userId);
    if (!r.removed) {
      io.err(`No signed-in account "${userId}". See \`topk accounts\`.`);
      return 2;
    }
    io.out(`Signed out ${userId}${r.revoked ? ' (token revoked at GitHub)' : ''}.`);
    const next = await local.auth.accounts.activeUserId();
    if (next) io.out(`Active account is now ${next}.`);
    return 0;
  } finally {
    await local.close();
  }
}

export function run(args: string[]): Promise<number> {
  return logoutCommand(args);
}
