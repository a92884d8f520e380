#!/usr/bin/env node
// `npx topk …`: runs main/cli/main.ts under the project's own tsx, forwarding
// signals to the child and passing its exit code back.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'main', 'cli', 'main.ts');

let tsx;
try {
  // resolved from bin/, so the project's node_modules wins over the caller's cwd
  tsx = import.meta.resolve('tsx');
} catch {
  console.error(`topk: tsx is not installed in ${root}/node_modules; run \`npm ci\` (or \`node scripts/ensure-deps.mjs\`) there first`);
  process.exit(1);
}
if (!existsSync(entry)) {
  console.error(`topk: ${entry} is missing`);
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', tsx, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
const forward = (sig) => {
  if (child.exitCode === null) child.kill(sig);
};
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => forward(sig));
child.on('error', (err) => {
  console.error(`topk: could not start node: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
