import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { showValue } from '../commands/show-value.ts';
import { envSource } from '../credentials/env-source.ts';
import { secretsManagerSource } from '../credentials/secrets-manager-source.ts';
import { sessionAdminAccess } from '../rotation/admin-access.ts';
import { DEFAULT_GRACE_DAYS, DEFAULT_SECRET_EXPIRES_AFTER_HOURS } from '../rotation/constants.ts';
import { describeProfile } from '../rotation/key-profile.ts';
import { planRotation, type RotationPlan } from '../rotation/plan-rotation.ts';
import { parseRotationConfig } from '../rotation/rotation-config.ts';
import { runRotationStep } from '../rotation/run-rotation-step.ts';
import type { RotationStep, RotationTarget, StepReport } from '../rotation/types.ts';
import { InputValidationError } from '../validation/errors.ts';
import { AtlasSession } from '../worker/atlas-session.ts';
import { describeError } from '../worker/describe-error.ts';
import { RunStats } from '../worker/run-stats.ts';
import type { CliIo } from './run-cli.ts';

export const ROTATE_USAGE = `Usage: atlas-key-worker rotate --secret-id ID [--org ID] [--grace-days N] [--dry-run]

Rotates the Atlas credential in one Secrets Manager secret (an API key, ours or MongoDB's profile shape, or a
service-account secret) through the four rotation steps: create the successor and store it as AWSPENDING, verify
it, test it, make it AWSCURRENT. The predecessor keeps working: its description gets
atlas-key-worker:retire-after=<date, grace days ahead>, and the sweep deletes it once that day has passed.

Options:
  --secret-id ID         the secret to rotate (name or ARN); Secrets Manager from the AWS SDK's settings
                         (AWS_ENDPOINT_URL_SECRETS_MANAGER for a local endpoint)
  --org ID               the secret's org (default: its entry in ROTATION_CONFIG)
  --grace-days N         days the predecessor keeps working, 1-365 (default: ROTATION_CONFIG's, else ${DEFAULT_GRACE_DAYS})
  --secret-hours N       lifetime of a new service-account secret, 8-8760 (default ${DEFAULT_SECRET_EXPIRES_AFTER_HOURS})
  --dry-run              print the plan (key to create, roles, projects, access list); change nothing
  --json                 one JSON document
  -h, --help

Atlas access: the Atlas CLI's variables (MONGODB_ATLAS_PUBLIC_API_KEY/PRIVATE_API_KEY or CLIENT_ID/CLIENT_SECRET,
an Org Owner's) when set, else the secret's own current credential (the worker rotating its own secret).
Exit status: 0 rotated (or planned), 1 a step failed (AWSCURRENT still works), 2 bad usage.`;

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

interface RotateOptions {
  readonly target: RotationTarget;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** `rotate`: the four steps against a real or local Secrets Manager, or with `--dry-run` the plan only. */
export async function runRotateCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: RotateOptions | 'help';
  try {
    options = parseRotateArgs(argv, io.env);
  } catch (error) {
    const message = error instanceof InputValidationError ? error.message : describeError(error).summary;
    io.stderr.write(`error: ${message}\n(see rotate --help)\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${ROTATE_USAGE}\n`);
    return 0;
  }
  const { target } = options;
  const secretsManager = io.secretsManager ?? new SecretsManagerClient({});
  const stats = new RunStats();
  const source = hasEnvCredentials(io.env)
    ? envSource(io.env)
    : secretsManagerSource({ secretId: target.secretId, maxAgeSeconds: 5, awsSdkV3Client: secretsManager });
  const session = new AtlasSession({ source, onEvent: (event) => stats.recordClientEvent(event), ...(io.client ? { client: io.client } : {}) });
  const admin = sessionAdminAccess(session, []);
  const now = io.now ?? (() => new Date());
  try {
    if (options.dryRun) {
      const plan = await planRotation(target, { secretsManager, admin, now });
      io.stdout.write(options.json ? `${JSON.stringify({ plan: planJson(plan), metrics: stats.toJSON() }, null, 2)}\n` : `${renderPlan(plan)}\n`);
      return 0;
    }
    const token = randomUUID();
    const reports: StepReport[] = [];
    const started = Date.now();
    for (const step of STEPS) {
      try {
        reports.push(
          await runRotationStep({ SecretId: target.secretId, ClientRequestToken: token, Step: step }, target, {
            secretsManager,
            admin,
            driver: 'operator',
            now,
            stats,
            ...(io.client === undefined ? {} : { client: io.client }),
          }),
        );
      } catch (error) {
        const summary = describeError(error).summary;
        if (options.json) io.stdout.write(`${JSON.stringify({ token, steps: reports, failed: { step, error: summary }, metrics: stats.toJSON() }, null, 2)}\n`);
        else io.stdout.write(`${reports.map(renderReport).join('\n')}\n`);
        io.stderr.write(`error: ${step} failed: ${summary}\nAWSCURRENT is unchanged${step === 'finishSecret' ? ' or already moved' : ''}; run rotate again to retry.\n`);
        return 1;
      }
    }
    const durationMs = Date.now() - started;
    if (options.json) io.stdout.write(`${JSON.stringify({ token, steps: reports, durationMs, metrics: stats.toJSON() }, null, 2)}\n`);
    else {
      const metrics = Object.entries(stats.toJSON()).map(([name, value]) => `${name}=${value}`).join(' ');
      io.stdout.write(`${reports.map(renderReport).join('\n')}\n\nRotated ${target.secretId} in ${(durationMs / 1000).toFixed(1)} s\nMetrics: ${metrics}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr.write(`error: ${describeError(error).summary}\n`);
    return error instanceof InputValidationError ? 2 : 1;
  } finally {
    await session.close();
  }
}

function parseRotateArgs(argv: readonly string[], env: NodeJS.ProcessEnv): RotateOptions | 'help' {
  let parsed: ReturnType<typeof parseWithSpec>;
  try {
    parsed = parseWithSpec(argv);
  } catch (error) {
    const message = String((error as Error).message ?? error).split('\n')[0] ?? '';
    throw new InputValidationError('arguments', message.replace(/'[^']*'/g, (quoted) => showValue(quoted.slice(1, -1))));
  }
  const { values, positionals, tokens } = parsed;
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name)) throw new InputValidationError(`--${token.name}`, 'given more than once');
    seen.add(token.name);
    if (typeof token.value === 'string' && (token.value === '' || token.value.length > 2048)) {
      throw new InputValidationError(`--${token.name}`, 'must be 1 to 2048 characters');
    }
  }
  if (values.help) return 'help';
  if (positionals.length > 0) throw new InputValidationError('arguments', `rotate takes no arguments, given ${positionals.map(showValue).join(' ')}`);
  const secretId = values['secret-id'];
  if (secretId === undefined) throw new InputValidationError('--secret-id', 'is required (the secret to rotate)');
  const configured = parseRotationConfig(env['ROTATION_CONFIG']).secrets.find((entry) => entry.secretId === secretId);
  const orgId = values.org ?? configured?.orgId;
  if (orgId === undefined) throw new InputValidationError('--org', 'is required (the secret is not in ROTATION_CONFIG)');
  if (!/^[a-f0-9]{24}$/.test(orgId)) throw new InputValidationError('--org', `must be 24 lowercase hexadecimal digits, given ${showValue(orgId)}`);
  const graceDays = wholeNumber('--grace-days', values['grace-days'], 1, 365) ?? configured?.graceDays ?? DEFAULT_GRACE_DAYS;
  const secretHours =
    wholeNumber('--secret-hours', values['secret-hours'], 8, 8760) ?? configured?.secretExpiresAfterHours ?? DEFAULT_SECRET_EXPIRES_AFTER_HOURS;
  return {
    target: { secretId, orgId, graceDays, secretExpiresAfterHours: secretHours },
    dryRun: values['dry-run'] === true,
    json: values.json === true,
  };
}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) throw new InputValidationError(flag, `must be a whole number between ${min} and ${max}, given ${showValue(text)}`);
  return value;
}

function hasEnvCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    (env['MONGODB_ATLAS_PUBLIC_API_KEY'] && env['MONGODB_ATLAS_PRIVATE_API_KEY']) || (env['MONGODB_ATLAS_CLIENT_ID'] && env['MONGODB_ATLAS_CLIENT_SECRET']),
  );
}

function renderReport(report: StepReport): string {
  const lines = [`${report.step.padEnd(13)} ${report.outcome.padEnd(12)} ${report.detail}`];
  for (const change of report.changes) lines.push(`${''.padEnd(27)}- ${change}`);
  return lines.join('\n');
}

function renderPlan(plan: RotationPlan): string {
  const where = `${plan.location.baseUrl} (${plan.location.flavor})`;
  if (plan.credential === 'serviceAccount') {
    const secrets = plan.secrets.map((secret) => `    ${secret.id}  created ${secret.createdAt}  expires ${secret.expiresAt}`);
    return [
      `Dry run: rotation of ${plan.secretId} (service account ${plan.clientId}, org ${plan.orgId}, ${where})`,
      `  holds ${plan.secrets.length} secret(s):`,
      ...secrets,
      plan.blocked === undefined
        ? `  would create a secret expiring after ${plan.expiresAfterHours} hours, store it as AWSPENDING, test it, make it AWSCURRENT`
        : `  cannot rotate: ${plan.blocked}`,
      '  the previous secret is deleted by the sweep after the grace period (Atlas ends its life within 7 days)',
    ].join('\n');
  }
  return [
    `Dry run: rotation of ${plan.secretId} (API key, ${plan.shape} shape, org ${plan.orgId}, ${where})`,
    `  current key   ${plan.predecessor.apiUserId} (${plan.predecessor.publicKey}) "${plan.predecessor.desc ?? ''}"`,
    `  would create  a key "${plan.successorDesc}"`,
    `    with ${describeProfile(plan.profile)}`,
    '  then store it as AWSPENDING (same shape, other fields kept), test it, make it AWSCURRENT',
    `  and tag ${plan.predecessor.publicKey} retire-after=${plan.retireAfter}; the sweep deletes it after that day`,
  ].join('\n');
}

function planJson(plan: RotationPlan): Record<string, unknown> {
  if (plan.credential === 'serviceAccount') return { ...plan };
  return { ...plan, profile: { ...plan.profile, projects: Object.fromEntries(plan.profile.projects) } };
}

function parseWithSpec(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      'secret-id': { type: 'string' },
      org: { type: 'string' },
      'grace-days': { type: 'string' },
      'secret-hours': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
