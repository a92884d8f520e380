/**
 * Where the app's own files are — the one module every resource lookup goes through: the app
 * root (the folder with package.json), the built UI, the CQL migrations, the compose file and
 * the native stack's files. A packaged desktop app ships cql/ and stack/ next to app.asar and
 * names that folder in TOPK_RESOURCES_DIR (set by the Electron shell, read once here).
 */
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The folder holding package.json, found upwards from `from` (this module by default): the checkout, or the app. */
export function appRoot(from: string = HERE): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
}

/** True when this code runs from the bundled dist/ output rather than from sources. */
export function runningFromDist(): boolean {
  return HERE.split(sep).includes('dist');
}

let resources: { dir: string | undefined } | undefined;

/** The packaged app's resources folder (TOPK_RESOURCES_DIR, read on first use), or undefined in a checkout. */
export function resourcesDir(): string | undefined {
  resources ??= { dir: process.env.TOPK_RESOURCES_DIR || undefined };
  return resources.dir;
}

/** `rel` under the resources folder when it is there, else under the app root. */
function resource(rel: string[], root: string): string {
  const res = resourcesDir();
  if (res && existsSync(join(res, ...rel))) return join(res, ...rel);
  return join(root, ...rel);
}

/** The built UI: the first of renderer/dist (dev build) and dist/renderer (npm run build) with an index.html. */
export function rendererDir(root: string = appRoot()): string | undefined {
  return ['renderer/dist', 'dist/renderer'].map((c) => join(root, c)).find((d) => existsSync(join(d, 'index.html')));
}

/** The folder the UI's sources live in (what a build of it reads). */
export function rendererSourceDir(root: string = appRoot()): string {
  return join(root, 'renderer');
}

/** The CQL migrations (`cql/NNNN_name.cql`). */
export function cqlDir(root: string = appRoot()): string {
  return resource(['cql'], root);
}

/** The stack definition of the docker provider (`stack/compose.yml`). */
export function composeFile(root: string = appRoot()): string {
  return resource(['stack', 'compose.yml'], root);
}

/** The native provider's poms, JVM options and config templates (`stack/native/`). */
export function nativeStackDir(root: string = appRoot()): string {
  return resource(['stack', 'native'], root);
}
