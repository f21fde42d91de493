import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_SCHEMA_ID,
  COMMAND_SCHEMA_PATH,
  generateCommandJsonSchema,
} from '../../lambda/commands/write-json-schema.ts';
import { COMMAND_ACTIONS } from '../../lambda/commands/schema.ts';

interface JsonSchemaNode {
  readonly [key: string]: unknown;
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly oneOf?: JsonSchemaNode[];
}

/** Every property schema in the document, with its dotted path. */
function properties(node: JsonSchemaNode, path = ''): [string, JsonSchemaNode][] {
  const own = Object.entries(node.properties ?? {}).flatMap(([name, child]): [string, JsonSchemaNode][] => [
    [`${path}${name}`, child],
    ...properties(child, `${path}${name}.`),
  ]);
  return [...own, ...(node.oneOf ?? []).flatMap((option) => properties(option, path))];
}

describe('Function: generateCommandJsonSchema', () => {
  it('matches the committed command.schema.json (run `npm run schema` after changing the contract)', () => {
    expect(readFileSync(COMMAND_SCHEMA_PATH, 'utf8')).toBe(generateCommandJsonSchema());
  });

  it('is draft 2020-12 with an $id, a title and one closed variant per action', () => {
    const schema = JSON.parse(generateCommandJsonSchema()) as JsonSchemaNode;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe(COMMAND_SCHEMA_ID);
    expect(schema['title']).toEqual(expect.any(String));
    const variants = schema.oneOf ?? [];
    expect(variants.map((variant) => variant.properties?.['action']?.['const'])).toEqual([...COMMAND_ACTIONS]);
    for (const variant of variants) expect(variant['additionalProperties']).toBe(false);
  });

  it('describes every field', () => {
    const schema = JSON.parse(generateCommandJsonSchema()) as JsonSchemaNode;
    const undescribed = properties(schema)
      .filter(([, node]) => typeof node['description'] !== 'string')
      .map(([path]) => path);
    expect(undescribed).toEqual([]);
  });

  it('ends with exactly one newline', () => {
    expect(generateCommandJsonSchema()).toMatch(/}\n$/);
  });
});
