import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WIRE_TYPES_FILE, renderWireTypes } from '../../scripts/wire-types';

describe('engine/api/wire-types.ts', () => {
  it('is what `npm run wire-types` generates from the current OpenAPI document (regenerate it when this fails)', async () => {
    const generated = await renderWireTypes();
    const committed = readFileSync(WIRE_TYPES_FILE, 'utf8');
    expect(committed === generated, 'engine/api/wire-types.ts is stale: run `npm run wire-types`').toBe(true);
  }, 180_000);
});
