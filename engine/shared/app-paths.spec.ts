import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot, composeFile, cqlDir, nativeStackDir, rendererDir } from './app-paths';

describe('app-paths', () => {
  it('finds the checkout and every resource in it', () => {
    const root = appRoot();
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('heavy-rotation');
    expect(existsSync(join(cqlDir(), '0001_core.cql'))).toBe(true);
    expect(composeFile()).toBe(join(root, 'stack', 'compose.yml'));
    expect(existsSync(composeFile())).toBe(true);
    expect(existsSync(join(nativeStackDir(), 'kafka', 'pom.xml'))).toBe(true);
  });

  it('the built UI is the first candidate with an index.html, none in a folder without one', () => {
    expect(rendererDir(join(appRoot(), 'cql'))).toBeUndefined();
  });
});
