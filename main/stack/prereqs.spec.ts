import { describe, expect, it } from 'vitest';
import { parseJavaVersion, which } from './prereqs';

describe('parseJavaVersion', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime')).toEqual({ major: 17, version: '17.0.15' });
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')).toEqual({ major: 21, version: '21' });
    expect(parseJavaVersion('java version "1.8.0_392"')).toEqual({ major: 8, version: '1.8.0_392' });
    expect(parseJavaVersion('no java here')).toBeUndefined();
  });
});

describe('which', () => {
  it('finds programs on PATH only', () => {
    expect(which('node', { PATH: process.env.PATH })).toMatch(/node$/);
    expect(which('node', { PATH: '/nonexistent' })).toBeUndefined();
  });
});
