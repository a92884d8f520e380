/**
 * `topk` — the command line of Heavy Rotation. Each command lives in
 * main/cli/commands/<name>.ts and exports `run(args): Promise<number>`
 * (the exit code). Add a command by adding one line to COMMANDS.
 */
import { pathToFileURL } from 'node:url';

export interface CommandModule {
  run(args: string[]): Promise<number>;
}

export interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  serve: { summary: 'serve [--provider docker|native|external] [--down] [--port N]   headless app: stack, migrations, engine, UI; prints `ready <url>`', load: () => import('./commands/serve') },
  start: { summary: 'start   the desktop app when Electron is installed, else `serve` (what `npm start` runs)', load: () => import('./commands/start') },
  stack: { summary: 'stack up|down|status [--provider docker|native|external] [--volumes]   Kafka, Cassandra, Redis alone', load: () => import('./commands/stack') },
  migrate: { summary: 'migrate [--keyspace NAME]   apply cql/ migrations to the keyspace', load: () => import('./commands/migrate') },
  doctor: { summary: 'doctor   check prerequisites (Docker, Java, redis-server, Maven, ports, disk) and say what to fix', load: () => import('./commands/doctor') },
  login: { summary: 'login [--client-id ID] [--no-browser] [--loopback] [--local]   sign in with GitHub (device flow: shows a code to enter at github.com/login/device; explains how to register your OAuth App when none is configured)', load: () => import('./commands/login') },
  logout: { summary: 'logout [login]   sign out a GitHub account (default: the active one) and delete its token', load: () => import('./commands/logout') },
  accounts: { summary: 'accounts [use <login>] [--json]   the signed-in GitHub accounts; * marks the active one', load: () => import('./commands/accounts') },
  import: { summary: 'import FILE --user U [--timezone ZONE]   import a listening-history file (format detected from content); progress and a report of what was skipped', load: () => import('./commands/import') },
  rebuild: { summary: 'rebuild [--user U] [--days N] [--dry-run]   recompute daily counts from raw listens and report the fixes', load: () => import('./commands/rebuild') },
  bench: { summary: 'bench ingest|query [--baseline] [--json]   ingest throughput and Top-K latency benchmarks (BENCHMARKS.md)', load: () => import('./commands/bench') },
};

export function usage(): string {
  const lines = ['usage: topk <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${c.summary.startsWith(name) ? c.summary : `${name}   ${c.summary}`}`);
  lines.push('', 'Run `topk <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    console.error(`topk: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = await entry.load();
  return mod.run(rest);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`topk: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 1;
    },
  );
}
