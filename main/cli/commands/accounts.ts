import type { Config } from '../../../engine/shared/config';
import { loadConfig } from '../../../engine/shared/config';
import type { CliIo } from './auth-cli';
import { consoleIo, localAuth } from './auth-cli';

export const ACCOUNTS_USAGE = 'usage: topk accounts [use <login>] [--json]';

/** `topk accounts`: the signed-in GitHub accounts, `*` marks the active one. `topk accounts use <login>` switches. */
export async function accountsCommand(argv: string[], io: CliIo = consoleIo, config: Config = loadConfig()): Promise<number> {
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  if (rest.some((a) => a.startsWith('-')) || (rest.length > 0 && !(rest[0] === 'use' && rest.length === 2))) {
    io.err(ACCOUNTS_USAGE);
    return 2;
  }
  const local = await localAuth(config, { cassandra: false });
  try {
    if (rest[0] === 'use') {
      const id = rest[1]!.toLowerCase();
      if (!(await local.auth.setActive(id))) {
        io.err(`No signed-in account "${id}".`);
        return 2;
      }
      io.out(`Active account: ${id}`);
      return 0;
    }
    const st = await local.auth.state();
    if (json) {
      io.out(JSON.stringify(st));
      return 0;
    }
    if (st.accounts.length === 0) {
      io.out('No GitHub account signed in. Run `topk login`.');
      return 0;
    }
    for (const a of st.accounts) io.out(`${a.active ? '*' : ' '} ${a.user_id.padEnd(20)} ${a.login}${a.name ? ` (${a.name})` : ''}`);
    return 0;
  } finally {
    await local.close();
  }
}

export function run(args: string[]): Promise<number> {
  return accountsCommand(args);
}
