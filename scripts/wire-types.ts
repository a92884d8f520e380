/**
 * Generates engine/api/wire-types.ts, the HTTP wire types of the engine API,
 * from the API's own OpenAPI document with openapi-typescript:
 *
 *   npm run wire-types            # rewrite the file
 *   npm run wire-types -- --check # exit 1 when the file is stale
 *
 * engine/api/wire-types.spec.ts fails when the committed file differs from
 * what this produces, so a route or schema change comes with its types.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPI3 } from 'openapi-typescript';
import { offlineOpenApiDocument } from '../engine/api/openapi-document';

export const WIRE_TYPES_FILE = join(import.meta.dirname, '..', 'engine', 'api', 'wire-types.ts');

const HEADER = `/**
 * HTTP wire types of the engine API, generated from its OpenAPI document
 * (GET /openapi.json) by \`npm run wire-types\` (scripts/wire-types.ts, openapi-typescript).
 * Do not edit: change the route schemas and regenerate. The control plane and the
 * renderer import these types (types only: nothing here exists at run time).
 */
`;

export async function renderWireTypes(): Promise<string> {
  const doc = await offlineOpenApiDocument();
  const ast = await openapiTS(doc as unknown as OpenAPI3, { rootTypes: true, rootTypesNoSchemaPrefix: true, alphabetize: true });
  return HEADER + astToString(ast);
}

async function main(): Promise<number> {
  const text = await renderWireTypes();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(WIRE_TYPES_FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current === text) return 0;
    console.error('engine/api/wire-types.ts is stale: run `npm run wire-types`');
    return 1;
  }
  writeFileSync(WIRE_TYPES_FILE, text);
  console.log(`wrote ${WIRE_TYPES_FILE}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
