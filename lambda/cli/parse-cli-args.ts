import { parseArgs } from 'node:util';
import { parseCommand } from '../commands/parse-command.ts';
import type { Command } from '../commands/schema.ts';
import { InputValidationError } from '../validation/errors.ts';

export interface CliOptions {
  readonly command: Command;
  readonly execute: boolean;
  readonly policyFile?: string;
  readonly baseUrl?: string;
  readonly flavor?: 'atlas' | 'ops-manager';
  readonly secretId?: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

export const USAGE = `Usage: atlas-key-worker <command> [options]

Commands:
  sweep --org ID [--execute] [--policy FILE]      plan (and with --execute, carry out) a sweep of one org
  revoke-project-key --group ID --key ID          unassign one API key from one project
  delete-org-key --org ID --key ID                delete one organization API key
  prune-access-entry --org ID --key ID --entry IP|CIDR
                                                  remove one entry from a key's access list
  revoke-key --org ID (--key ID | --public-key PK)
                                                  a leaked key: delete it (or, failing that, unassign it everywhere)

Options:
  --base-url URL         Atlas or Ops Manager origin (default https://cloud.mongodb.com)
  --flavor atlas|ops-manager
  --secret-id ID         read credentials from this Secrets Manager secret
                         (default: MONGODB_ATLAS_PUBLIC_API_KEY/PRIVATE_API_KEY or CLIENT_ID/CLIENT_SECRET)
  --json                 print one JSON document instead of tables
  --quiet                no progress line
  -h, --help

Exit status: 0 every action done, already absent or skipped; 1 an action failed; 2 bad usage or input.`;

/** CLI flag for each command field, so that errors name what the operator typed. */
const FLAG_OF: Record<string, string> = {
  orgId: '--org',
  groupId: '--group',
  apiUserId: '--key',
  publicKey: '--public-key',
  entry: '--entry',
};

/** Parses argv (without node and script). Throws InputValidationError (field = the flag) on bad usage. */
export function parseCliArgs(argv: readonly string[]): CliOptions | 'help' {
  let parsed: ReturnType<typeof parseWithSpec>;
  try {
    parsed = parseWithSpec(argv);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new InputValidationError(code.startsWith('ERR_PARSE_ARGS') ? 'arguments' : 'arguments', (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return 'help';
  if (positionals.length > 1) throw new InputValidationError('arguments', `one command expected, given ${positionals.join(' ')}`);
  const name = positionals[0];
  const fields = {
    org: values.org,
    group: values.group,
    key: values.key,
    publicKey: values['public-key'],
    entry: values.entry,
  };
  let candidate: Record<string, unknown>;
  switch (name) {
    case 'sweep':
      candidate = { action: 'sweep', orgId: fields.org };
      break;
    case 'revoke-project-key':
      candidate = { action: 'revokeProjectKey', groupId: fields.group, apiUserId: fields.key };
      break;
    case 'delete-org-key':
      candidate = { action: 'deleteOrgKey', orgId: fields.org, apiUserId: fields.key };
      break;
    case 'prune-access-entry':
      candidate = { action: 'pruneAccessListEntry', orgId: fields.org, apiUserId: fields.key, entry: fields.entry };
      break;
    case 'revoke-key':
      candidate = { action: 'revokeKey', orgId: fields.org, apiUserId: fields.key, publicKey: fields.publicKey };
      break;
    default:
      throw new InputValidationError('command', `unknown command ${JSON.stringify(name)}; see --help`);
  }
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined));
  let command: Command;
  try {
    command = parseCommand(defined, 'args');
  } catch (error) {
    if (!(error instanceof InputValidationError)) throw error;
    const field = error.field.replace(/^args\.?/, '');
    const flag = FLAG_OF[field.split('.')[0] ?? ''] ?? (field || name);
    const text = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
    // Speak in flags: "give publicKey instead" becomes "give --public-key instead".
    const problem = text.replace(/\b(orgId|groupId|apiUserId|publicKey|entry)\b(?!")/g, (name) => FLAG_OF[name] ?? name);
    throw new InputValidationError(flag, problem, { cause: error });
  }
  if (values.flavor !== undefined && values.flavor !== 'atlas' && values.flavor !== 'ops-manager') {
    throw new InputValidationError('--flavor', `must be atlas or ops-manager, given ${JSON.stringify(values.flavor)}`);
  }
  if (values.execute && name !== 'sweep') {
    throw new InputValidationError('--execute', 'only applies to sweep (other commands always act)');
  }
  return {
    command,
    execute: values.execute === true,
    json: values.json === true,
    quiet: values.quiet === true,
    ...(values.policy === undefined ? {} : { policyFile: values.policy }),
    ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
    ...(values.flavor === undefined ? {} : { flavor: values.flavor as 'atlas' | 'ops-manager' }),
    ...(values['secret-id'] === undefined ? {} : { secretId: values['secret-id'] }),
  };
}

function parseWithSpec(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      org: { type: 'string' },
      group: { type: 'string' },
      key: { type: 'string' },
      'public-key': { type: 'string' },
      entry: { type: 'string' },
      execute: { type: 'boolean' },
      policy: { type: 'string' },
      'base-url': { type: 'string' },
      flavor: { type: 'string' },
      'secret-id': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
