import { parseArgs } from 'node:util';
import { parseCommand } from '../commands/parse-command.ts';
import type { Command } from '../commands/schema.ts';
import { showValue } from '../commands/show-value.ts';
import { InputValidationError } from '../validation/errors.ts';

export interface CliOptions {
  readonly command: Command;
  readonly execute: boolean;
  /** Read every key's access list even with --state-table (no incremental skipping). */
  readonly full: boolean;
  readonly policyFile?: string;
  readonly baseUrl?: string;
  readonly flavor?: 'atlas' | 'ops-manager';
  readonly secretId?: string;
  /** The deployed state table (write budget) to share; absent: an in-memory budget for this run. */
  readonly stateTable?: string;
  readonly json: boolean;
  readonly quiet: boolean;
}

export const USAGE = `Usage: atlas-key-worker <command> [options]

Commands:
  sweep --org ID [--execute] [--policy FILE] [--full]
                                                  plan (and with --execute, carry out) a sweep of one org;
                                                  incremental with --state-table unless --full
  revoke-project-key --group ID --key ID          unassign one API key from one project
  delete-org-key --org ID --key ID                delete one organization API key
  prune-access-entry --org ID --key ID --entry IP|CIDR
                                                  remove one entry from a key's access list
  revoke-key --org ID (--key ID | --public-key PK)
                                                  a leaked key: delete it (or, failing that, unassign it everywhere)
  check [--policy FILE] [--egress-ip IP]          verify base URL, credentials, roles, access list and state
                                                  before going live (see check --help); sends no write
  rotate --secret-id ID [--org ID] [--grace-days N] [--dry-run]
                                                  rotate the Atlas credential in a Secrets Manager secret
                                                  (see rotate --help)

Options:
  --base-url URL         Atlas or Ops Manager origin (default https://cloud.mongodb.com)
  --flavor atlas|ops-manager
  --secret-id ID         read credentials from this Secrets Manager secret
                         (default: MONGODB_ATLAS_PUBLIC_API_KEY/PRIVATE_API_KEY or CLIENT_ID/CLIENT_SECRET)
  --state-table NAME     count writes in the deployed worker's DynamoDB state table (its daily write
                         budget); default: an in-memory budget for this run only
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

/** The flags each command takes, besides the common ones. A flag that does not apply is an error, not ignored. */
const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  sweep: ['org', 'execute', 'policy', 'full'],
  'revoke-project-key': ['group', 'key'],
  'delete-org-key': ['org', 'key'],
  'prune-access-entry': ['org', 'key', 'entry'],
  'revoke-key': ['org', 'key', 'public-key'],
};
const COMMON_FLAGS: readonly string[] = ['base-url', 'flavor', 'secret-id', 'state-table', 'json', 'quiet', 'help'];

/** No argument an operator types is longer (a file path is at most PATH_MAX). */
const MAX_ARGUMENT_LENGTH = 4096;

/** Parses argv (without node and script). Throws InputValidationError (field = the flag) on bad usage. */
export function parseCliArgs(argv: readonly string[]): CliOptions | 'help' {
  let parsed: ReturnType<typeof parseWithSpec>;
  try {
    parsed = parseWithSpec(argv);
  } catch (error) {
    throw fromParseArgsError(error);
  }
  const { values, positionals, tokens } = parsed;
  // A repeated flag is ambiguous (which --key was meant?): parseArgs would silently keep the last one.
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new InputValidationError(`--${token.name}`, 'given more than once');
    seen.add(token.name);
    if (typeof token.value === 'string') checkValue(`--${token.name}`, token.value);
  }
  for (const word of positionals) checkValue('arguments', word);
  if (values.help || positionals.length === 0) return 'help';
  if (positionals.length > 1) {
    throw new InputValidationError('arguments', `one command expected, given ${positionals.length}: ${positionals.map(showValue).join(' ')}`);
  }
  const name = positionals[0] ?? '';
  const allowed = COMMAND_FLAGS[name];
  if (allowed === undefined) throw new InputValidationError('command', `unknown command ${showValue(name)}; see --help`);
  if (values.execute && name !== 'sweep') {
    throw new InputValidationError('--execute', 'only applies to sweep (other commands always act)');
  }
  for (const flag of seen) {
    if (!allowed.includes(flag) && !COMMON_FLAGS.includes(flag)) {
      throw new InputValidationError(`--${flag}`, `does not apply to ${name} (it takes ${allowed.map((f) => `--${f}`).join(', ')})`);
    }
  }
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
      throw new InputValidationError('command', `unknown command ${showValue(name)}; see --help`);
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
    throw new InputValidationError('--flavor', `must be atlas or ops-manager, given ${showValue(values.flavor)}`);
  }
  const baseUrl = values['base-url'] === undefined ? undefined : parseBaseUrl(values['base-url']);
  return {
    command,
    execute: values.execute === true,
    full: values.full === true,
    json: values.json === true,
    quiet: values.quiet === true,
    ...(values.policy === undefined ? {} : { policyFile: values.policy }),
    ...(baseUrl === undefined ? {} : { baseUrl }),
    ...(values.flavor === undefined ? {} : { flavor: values.flavor as 'atlas' | 'ops-manager' }),
    ...(values['secret-id'] === undefined ? {} : { secretId: values['secret-id'] }),
    ...(values['state-table'] === undefined ? {} : { stateTable: parseTableName(values['state-table']) }),
  };
}

/** Every value: not empty (an unset shell variable must not silently drop a policy or a URL), not huge. */
function checkValue(field: string, value: string): void {
  if (value === '') throw new InputValidationError(field, 'must not be empty');
  if (value.length > MAX_ARGUMENT_LENGTH) {
    throw new InputValidationError(field, `must be at most ${MAX_ARGUMENT_LENGTH} characters, given ${value.length}`);
  }
}

function parseTableName(value: string): string {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(value)) {
    throw new InputValidationError('--state-table', `must be a DynamoDB table name (3-255 letters, digits, "_", "-", "."), given ${showValue(value)}`);
  }
  return value;
}

/** The origin of an absolute http(s) URL. A URL carrying credentials is refused without being shown. */
function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputValidationError('--base-url', `must be an absolute http(s) URL, given ${showValue(value)}`);
  }
  if (url.username !== '' || url.password !== '') throw new InputValidationError('--base-url', 'must not carry credentials');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputValidationError('--base-url', `must use http or https, given ${showValue(url.protocol)}`);
  }
  return url.origin;
}

/** A parseArgs error as one line naming the flag when it is known (a missing or ambiguous value). */
function fromParseArgsError(error: unknown): InputValidationError {
  const code = (error as { code?: string }).code ?? '';
  const message = String((error as Error).message ?? error);
  const flag = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? /'(--[a-z-]+)/.exec(message)?.[1] : undefined;
  // parseArgs quotes what was typed, unbounded and unescaped: keep its words, show the rest our way.
  const oneLine = message.split('\n')[0]?.replace(/'[^']*'/g, (quoted) => showValue(quoted.slice(1, -1))) ?? '';
  return new InputValidationError(flag ?? 'arguments', oneLine, { cause: error });
}

function parseWithSpec(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      org: { type: 'string' },
      group: { type: 'string' },
      key: { type: 'string' },
      'public-key': { type: 'string' },
      entry: { type: 'string' },
      execute: { type: 'boolean' },
      full: { type: 'boolean' },
      policy: { type: 'string' },
      'base-url': { type: 'string' },
      flavor: { type: 'string' },
      'secret-id': { type: 'string' },
      'state-table': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
