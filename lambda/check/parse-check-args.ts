import { parseArgs } from 'node:util';
import { showValue } from '../commands/show-value.ts';
import { objectIdSchema } from '../policy/schema.ts';
import { parseAccessListEntry } from '../validation/access-list-entry.ts';
import { InputValidationError } from '../validation/errors.ts';

export interface CheckArgs {
  readonly policyFile?: string;
  readonly orgId?: string;
  readonly secretId?: string;
  /** As typed: the check itself judges it (scheme, host, path), so that a bad one is a named failure. */
  readonly baseUrl?: string;
  readonly flavor?: 'atlas' | 'ops-manager';
  /** Normalised single address. */
  readonly egressIp?: string;
  /** The deployed state table to ping (default: STATE_TABLE_NAME, else in-memory state). */
  readonly stateTable?: string;
  readonly json: boolean;
}

export const CHECK_USAGE = `Usage: atlas-key-worker check [--policy FILE | --org ID] [options]

Verifies, per policy org, what the worker needs: a base URL that is https and answers like Atlas / Ops Manager,
credentials that authenticate, an org that exists, the roles the policy needs (Organization Owner to delete
org keys, Project Owner to unassign), the worker's address on its key's access list; then the state table.
Sends no write.

Options:
  --policy FILE          the policy (default: the KEY_POLICY variable)
  --org ID               only this org of the policy (without a policy: this org, default settings)
  --secret-id ID         read credentials from this Secrets Manager secret (default: ATLAS_SECRET_ID, else
                         MONGODB_ATLAS_PUBLIC_API_KEY/PRIVATE_API_KEY or CLIENT_ID/CLIENT_SECRET)
  --base-url URL         Atlas or Ops Manager origin (default: the credentials', then https://cloud.mongodb.com)
  --flavor atlas|ops-manager
  --egress-ip IP         the deployed worker's egress IP (the stack's EgressIps output): must be on the key's
                         access list (without it, the address this check runs from is checked)
  --state-table NAME     the deployed worker's DynamoDB state table, to check it is reachable
                         (default: STATE_TABLE_NAME; unset: in-memory state, nothing to check)
  --json                 print the report as one JSON document
  -h, --help

Exit status: 0 nothing failed (warnings allowed); 1 a check failed; 2 bad usage.`;

const MAX_ARGUMENT_LENGTH = 4096;

/** Parses the arguments after `check`. Throws InputValidationError naming the flag on bad usage. */
export function parseCheckArgs(argv: readonly string[]): CheckArgs | 'help' {
  let parsed: ReturnType<typeof parseWithSpec>;
  try {
    parsed = parseWithSpec(argv);
  } catch (error) {
    const message = String((error as Error).message ?? error).split('\n')[0] ?? '';
    throw new InputValidationError('arguments', message.replace(/'[^']*'/g, (quoted) => showValue(quoted.slice(1, -1))), { cause: error });
  }
  const { values, positionals, tokens } = parsed;
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new InputValidationError(`--${token.name}`, 'given more than once');
    seen.add(token.name);
    if (typeof token.value === 'string') {
      if (token.value === '') throw new InputValidationError(`--${token.name}`, 'must not be empty');
      if (token.value.length > MAX_ARGUMENT_LENGTH) throw new InputValidationError(`--${token.name}`, `must be at most ${MAX_ARGUMENT_LENGTH} characters`);
    }
  }
  if (values.help) return 'help';
  if (positionals.length > 0) throw new InputValidationError('arguments', `check takes no arguments, given ${positionals.map(showValue).join(' ')}`);
  if (values.org !== undefined && !objectIdSchema.safeParse(values.org).success) {
    throw new InputValidationError('--org', `must be 24 lowercase hexadecimal digits, given ${showValue(values.org)}`);
  }
  if (values.flavor !== undefined && values.flavor !== 'atlas' && values.flavor !== 'ops-manager') {
    throw new InputValidationError('--flavor', `must be atlas or ops-manager, given ${showValue(values.flavor)}`);
  }
  let egressIp: string | undefined;
  if (values['egress-ip'] !== undefined) {
    const address = parseAccessListEntry(values['egress-ip'], '--egress-ip');
    if (address.prefix !== (address.family === 4 ? 32 : 128)) {
      throw new InputValidationError('--egress-ip', `must be one address, not a CIDR block, given ${showValue(values['egress-ip'])}`);
    }
    egressIp = address.normalised;
  }
  if (values['base-url'] !== undefined && !URL.canParse(values['base-url'])) {
    throw new InputValidationError('--base-url', `must be an absolute URL such as https://cloud.mongodb.com, given ${showValue(values['base-url'])}`);
  }
  return {
    json: values.json === true,
    ...(values.policy === undefined ? {} : { policyFile: values.policy }),
    ...(values.org === undefined ? {} : { orgId: values.org }),
    ...(values['secret-id'] === undefined ? {} : { secretId: values['secret-id'] }),
    ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
    ...(values.flavor === undefined ? {} : { flavor: values.flavor as 'atlas' | 'ops-manager' }),
    ...(egressIp === undefined ? {} : { egressIp }),
    ...(values['state-table'] === undefined ? {} : { stateTable: values['state-table'] }),
  };
}

function parseWithSpec(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      policy: { type: 'string' },
      org: { type: 'string' },
      'secret-id': { type: 'string' },
      'base-url': { type: 'string' },
      flavor: { type: 'string' },
      'egress-ip': { type: 'string' },
      'state-table': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
