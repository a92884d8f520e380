import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from '../../engine/shared/config-checks';

/** Bad command-line input: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs in strict mode; unknown flags and missing values become UsageError. */
export function parseStrict<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
}

/** Runs a command body: UsageError → exit 2 with the message, other errors → exit 1. */
export async function runCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`topk: ${err.message}`);
      return 2;
    }
    const e = err as Error & { fix?: string };
    console.error(`topk: ${e.message}`);
    if (e.fix) console.error(`fix: ${e.fix}`);
    return 1;
  }
}

/**
 * A command's frame: parses `args` strictly against `options` (plus -h/--help), prints `usage` and
 * exits 0 on --help, else runs `body` with what was parsed; errors end as in runCommand.
 */
export function runWithArgs<O extends Options>(args: string[], options: O, usage: string, body: (parsed: ReturnType<typeof parseStrict<O>>) => Promise<number>): Promise<number> {
  return runCommand(async () => {
    const parsed = parseStrict(args, options, usage);
    if ((parsed.values as { help?: boolean }).help) {
      console.log(usage);
      return 0;
    }
    return body(parsed);
  });
}

/** UsageError naming the first argument after the `allowed` ones. */
export function refuseExtraArgs(positionals: string[], usage: string, allowed = 0): void {
  if (positionals.length > allowed) throw new UsageError(`unexpected argument "${positionals[allowed]}"\n${usage}`);
}
