import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findAppRoot } from '../supervisor/child-process-launcher';

/**
 * The doctor checks as JSON for /control/doctor. Uses the doctor module's
 * `runChecks()` export when it has one; otherwise runs `topk doctor --json`
 * in a child process (same checks, same output as the CLI).
 */
export function createDoctor(opts: { root?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): () => Promise<unknown> {
  const root = opts.root ?? findAppRoot();
  return async () => {
    try {
      const mod = (await import('../cli/commands/doctor')) as { runChecks?: () => Promise<unknown> };
      if (typeof mod.runChecks === 'function') return await mod.runChecks();
    } catch {
      /* fall back to the CLI */
    }
    const cliTs = join(root, 'main', 'cli', 'main.ts');
    const args = existsSync(cliTs) ? ['--import', 'tsx', cliTs, 'doctor', '--json'] : [join(root, 'bin', 'topk.mjs'), 'doctor', '--json'];
    return new Promise((resolve, reject) => {
      execFile(process.execPath, args, { cwd: root, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        // doctor exits 1 when something needs fixing; the JSON is still the answer
        try {
          resolve(JSON.parse(stdout) as unknown);
        } catch {
          reject(new Error(`topk doctor --json failed: ${err?.message ?? ''} ${String(stderr).slice(0, 500)}`.trim()));
        }
      });
    });
  };
}
