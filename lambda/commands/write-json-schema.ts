import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod';
import { commandSchema, revokeKeyDetailSchema } from './schema.ts';

/** Where the published schema lives, next to this file. */
export const COMMAND_SCHEMA_PATH = fileURLToPath(new URL('./command.schema.json', import.meta.url));

export const COMMAND_SCHEMA_ID = 'urn:atlas-key-worker:schema:command:v1';

/**
 * The JSON Schema (draft 2020-12) of a queue command as a producer writes it: pretty-printed, trailing newline.
 * Input side of the zod schema (an entry before normalisation). Deterministic, so a test can diff it against the
 * committed file.
 */
export function generateCommandJsonSchema(): string {
  const options = { target: 'draft-2020-12', io: 'input' } as const;
  const { $schema, ...body } = z.toJSONSchema(commandSchema, options);
  const { $schema: _detailDialect, ...detail } = z.toJSONSchema(revokeKeyDetailSchema, options);
  const document = {
    $schema,
    $id: COMMAND_SCHEMA_ID,
    title: 'atlas-key-worker queue command',
    description:
      'One SQS message for atlas-key-worker: a JSON object whose "action" selects the command. Unknown fields are ' +
      'rejected. Maximum 64 KiB. An EventBridge event with detail-type "Atlas API Key Revocation Requested" and a ' +
      'revokeKey detail (without "action", see $defs.revocationEventDetail) is accepted too.',
    ...body,
    $defs: { revocationEventDetail: detail },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Writes the schema file; returns its path. */
export async function writeCommandJsonSchema(path = COMMAND_SCHEMA_PATH): Promise<string> {
  await writeFile(path, generateCommandJsonSchema(), 'utf8');
  return path;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const path = await writeCommandJsonSchema();
  console.log(`wrote ${path}`);
}
