import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import { readStackSettings } from '../../infra/stack-settings.ts';
import { parseCheckArgs } from '../../lambda/check/parse-check-args.ts';
import { parseCheckEvent } from '../../lambda/check/parse-check-event.ts';
import { parseCommand } from '../../lambda/commands/parse-command.ts';
import { parsePolicy } from '../../lambda/policy/parse-policy.ts';
import { laneRefusal } from '../../lambda/runtime/lane-refusal.ts';
import { parseAccessListEntry } from '../../lambda/validation/access-list-entry.ts';
import { changedSettings, environmentOf, keyPolicyText, testApp } from './helpers.ts';
import { findings } from './nag-findings.ts';
import { expandWord, parseShellSteps, type ShellStep, shellBlocksOfSection, variablesOf, type Word } from './shell-steps.ts';
import { templateDiff } from './template-diff.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const ACCOUNT = '123456789012';
const OUTPUT_QUERY = /^Stacks\[0\]\.Outputs\[\?OutputKey=='(\w+)'\]\.OutputValue$/;

/** A `cdk synth` / `cdk deploy` line as the test ran it. */
interface Synthesis {
  readonly step: number;
  readonly command: 'bootstrap' | 'synth' | 'deploy';
  readonly context: Record<string, string>;
  readonly template: Template;
  readonly stackName: string;
}

/** What the walk-through has done so far, as the test replays it. */
interface Replay {
  readonly env: Map<string, string>;
  /** Which stack output each variable was read from. */
  readonly outputOf: Map<string, string>;
  readonly files: string;
  readonly syntheses: Synthesis[];
  /** Step index of each kind of line, for the order checks. */
  readonly seen: Map<string, number[]>;
  credentialsFile?: string;
}

/**
 * Replays the README's deployment section line by line: every `cdk` line is synthesized through the real app
 * (stack, settings reader, both cdk-nag packs); every other line is checked against what the synthesized
 * template would have deployed. A line the replay does not know fails the test: the README cannot grow a step
 * that nothing checks.
 */
function replay(steps: readonly ShellStep[]): Replay {
  const state: Replay = {
    env: new Map(),
    outputOf: new Map(),
    files: mkdtempSync(join(tmpdir(), 'akw-readme-')),
    syntheses: [],
    seen: new Map(),
  };
  steps.forEach((step, index) => {
    try {
      mark(state, replayStep(state, step, index), index);
    } catch (error) {
      throw new Error(`README line ${JSON.stringify(step.text)}: ${(error as Error).message}`, { cause: error });
    }
  });
  return state;
}

function mark(state: Replay, kind: string, index: number): void {
  state.seen.set(kind, [...(state.seen.get(kind) ?? []), index]);
}

/** Replays one line; returns what kind of line it was. */
function replayStep(state: Replay, step: ShellStep, index: number): string {
  if (step.kind === 'export') {
    state.env.set(step.name, expandWord(step.value, state.env));
    return `export ${step.name}`;
  }
  if (step.kind === 'heredoc') {
    writeFileSync(join(state.files, step.file), step.content);
    if (step.file.endsWith('.json') && step.file.includes('policy')) parsePolicy(step.content, step.file);
    return `file ${step.file}`;
  }
  const words = step.words.map((word) => expandWord(word, state.env));
  const line = words.join(' ');
  const flag = (name: string): string | undefined => {
    const at = words.indexOf(name);
    return at < 0 ? undefined : words[at + 1];
  };
  const rawFlag = (name: string): Word | undefined => {
    const at = words.indexOf(name);
    return at < 0 ? undefined : step.words[at + 1];
  };
  const fromOutput = (name: string, output: string) => {
    const word = rawFlag(name);
    const variables = word === undefined ? [] : variablesOf(word);
    expect(variables.map((variable) => state.outputOf.get(variable)), `${name} comes from the ${output} output`).toEqual([output]);
  };

  if (/^npx cdk bootstrap$/.test(line)) {
    // `cdk bootstrap` synthesizes the app to find its environments: it must synthesize with no context at all.
    synthesize(state, 'bootstrap', [], index);
    return 'bootstrap';
  }
  if (line.startsWith('npm run synth -- ') || line.startsWith('npx cdk synth ')) {
    synthesize(state, 'synth', words.slice(words[0] === 'npm' ? 4 : 3), index);
    return 'synth';
  }
  if (line.startsWith('npx cdk deploy ')) {
    synthesize(state, 'deploy', words.slice(3), index);
    return 'deploy';
  }

  if (step.assignTo !== undefined && line.startsWith('aws secretsmanager create-secret ')) {
    const secretString = flag('--secret-string') ?? '';
    expect(secretString, 'the secret comes from a file, never from the command line').toMatch(/^file:\/\/\S+$/);
    expect(flag('--query')).toBe('ARN');
    expect(flag('--output')).toBe('text');
    const region = state.env.get('AWS_REGION');
    expect(region, 'AWS_REGION is set before the secret is created in it').toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    state.credentialsFile = secretString.slice('file://'.length);
    state.env.set(step.assignTo, `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${flag('--name')}-AbCdEf`);
    return 'create-secret';
  }
  if (words[0] === 'shred') {
    expect(words.slice(1), 'the credentials file is destroyed').toEqual(['-u', state.credentialsFile]);
    return 'shred';
  }
  if (step.assignTo !== undefined && line.startsWith('aws cloudformation describe-stacks ')) {
    const deployed = state.syntheses.filter((synthesis) => synthesis.command === 'deploy').at(-1);
    expect(deployed, 'a stack output is read after a deployment').toBeDefined();
    expect(flag('--stack-name')).toBe(deployed!.stackName);
    expect(flag('--output')).toBe('text');
    const output = OUTPUT_QUERY.exec(flag('--query') ?? '')?.[1];
    expect(Object.keys(deployed!.template.findOutputs('*'))).toContain(output);
    state.outputOf.set(step.assignTo, output!);
    state.env.set(step.assignTo, sampleOutput(deployed!.template, output!));
    return `output ${output}`;
  }
  if (line.startsWith('atlas organizations apiKeys accessLists create ')) {
    expect(flag('--apiKey')).toMatch(/^[a-f0-9]{24}$/);
    fromOutput('--ip', 'EgressIps');
    expect(parseAccessListEntry(flag('--ip') ?? '').prefix).toBe(32);
    return 'access-list';
  }
  if (line.startsWith('npm run cli -- check ')) {
    const args = parseCheckArgs(words.slice(5));
    if (args === 'help') throw new Error('check prints its help instead of checking');
    expect(args.secretId).toBe(state.env.get('SECRET_ARN'));
    parsePolicy(readFileSync(join(state.files, args.policyFile ?? ''), 'utf8'));
    fromOutput('--egress-ip', 'EgressIps');
    fromOutput('--state-table', 'StateTableName');
    return 'check';
  }
  if (line.startsWith('aws lambda invoke ')) {
    fromOutput('--function-name', 'FunctionName');
    // AWS CLI v2 reads --payload as base64 unless told otherwise.
    expect(flag('--cli-binary-format')).toBe('raw-in-base64-out');
    expect(parseCheckEvent(JSON.parse(flag('--payload') ?? ''))).toEqual({ action: 'check' });
    return 'check';
  }
  if (line.startsWith('aws sqs send-message ')) {
    const queue = state.outputOf.get(variablesOf(rawFlag('--queue-url') ?? [])[0] ?? '');
    const command = parseCommand(flag('--message-body'));
    if (queue === 'WorkQueueUrl') {
      // FIFO, content-based deduplication off: a group and a deduplication id are required.
      expect(flag('--message-group-id')).toBe('orgId' in command ? command.orgId : undefined);
      expect(flag('--message-deduplication-id')).toMatch(/^[\x21-\x7E]{1,128}$/);
      expect(laneRefusal(command, `arn:aws:sqs:eu-west-1:${ACCOUNT}:work.fifo`)).toBeUndefined();
    } else {
      expect(queue).toBe('UrgentQueueUrl');
      expect(flag('--message-group-id')).toBeUndefined();
      expect(['revokeKey', 'deleteOrgKey']).toContain(command.action);
      expect(laneRefusal(command, `arn:aws:sqs:eu-west-1:${ACCOUNT}:urgent`)).toBeUndefined();
    }
    return `send ${queue}`;
  }
  throw new Error('no check covers this line: teach readme-walkthrough.test.ts what it does');
}

/** Synthesizes the app as `cdk` would with these arguments (only `-c key=value` pairs are allowed). */
function synthesize(state: Replay, command: Synthesis['command'], args: readonly string[], step: number): void {
  const context: Record<string, string> = {};
  for (let at = 0; at < args.length; at += 2) {
    expect(args[at], 'only -c key=value arguments').toBe('-c');
    const [key = '', ...rest] = (args[at + 1] ?? '').split('=');
    context[key] = rest.join('=');
  }
  // Relative files are where the walk-through wrote them.
  const resolved = { ...context };
  if (resolved.policyFile !== undefined && !isAbsolute(resolved.policyFile)) {
    resolved.policyFile = join(state.files, resolved.policyFile);
  }
  const app = testApp();
  const stackName = context.stackName ?? 'AtlasKeyWorker';
  const stack = new AtlasKeyWorkerStack(app, stackName, { settings: readStackSettings((key) => resolved[key]) });
  const template = Template.fromStack(stack);
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) expect(findings(pack, app)).toEqual([]);
  state.syntheses.push({ step, command, context, template, stackName });
}

/** A value of the kind CloudFormation would output, consistent with the template (a FIFO queue's URL ends .fifo). */
function sampleOutput(template: Template, output: string): string {
  const value = JSON.stringify(template.findOutputs(output)[output]?.Value);
  const queue = /"Ref":"(\w+)"/.exec(value)?.[1];
  const fifo = queue !== undefined && template.findResources('AWS::SQS::Queue')[queue]?.Properties.FifoQueue === true;
  switch (output) {
    case 'WorkQueueUrl':
    case 'UrgentQueueUrl':
      return `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/AtlasKeyWorker-${output}-AbC${fifo ? '.fifo' : ''}`;
    case 'EgressIps':
      return '203.0.113.10';
    default:
      return `AtlasKeyWorker-${output}-AbC`;
  }
}

describe('README: Deploying with CDK', () => {
  let steps: ShellStep[];
  let state: Replay;
  beforeAll(() => {
    steps = shellBlocksOfSection(README, '## Deploying with CDK').flatMap(parseShellSteps);
    state = replay(steps);
  });
  const first = (kind: string) => state.seen.get(kind)?.[0] ?? Number.NaN;
  const deployments = () => state.syntheses.filter((synthesis) => synthesis.command === 'deploy');

  it('has a walk-through, and the test replayed every line of it', () => {
    expect(steps.length).toBeGreaterThan(10);
    const replayed = [...state.seen.values()].flat().sort((a, b) => a - b);
    expect(replayed).toEqual(steps.map((_, index) => index));
  });

  it('goes in order: region, bootstrap, secret from a file, synth, deploy, egress IP, check, then live', () => {
    const order = [
      'export AWS_REGION',
      'bootstrap',
      'create-secret',
      'shred',
      'synth',
      'deploy',
      'access-list',
      'check',
    ].map(first);
    expect(order.every((at) => Number.isInteger(at))).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const live = deployments().at(-1)!;
    expect(live.step).toBeGreaterThan(Math.max(...(state.seen.get('check') ?? [])));
  });

  it('deploys the dry run first and goes live last', () => {
    const [dry, ...rest] = deployments();
    const live = rest.at(-1);
    expect(parsePolicy(keyPolicyText(dry!.template)).dryRun).toBe(true);
    expect(parsePolicy(keyPolicyText(live!.template)).dryRun).toBe(false);
  });

  it('keeps every alarm and its action from the dry run to live: only dryRun changes', () => {
    const [dry, ...rest] = deployments();
    const live = rest.at(-1)!;
    const changed = changedSettings(templateDiff(dry!.template.toJSON(), live.template.toJSON()));
    expect(changed).toHaveLength(3);
    for (const path of changed) expect(path).toMatch(/Environment\.Variables\.KEY_POLICY$|^Outputs\.DryRun\.Value$/);
    const alarms = Object.values(live.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(9);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(live.template.findResources('AWS::CloudWatch::Alarm')).toEqual(dry!.template.findResources('AWS::CloudWatch::Alarm'));
  });

  it('leaves nothing for --parameters in any deployment, and passes the secret’s complete ARN in the chosen region', () => {
    for (const deployment of deployments()) {
      const parameters = (deployment.template.toJSON().Parameters ?? {}) as Record<string, { Default?: unknown }>;
      expect(Object.entries(parameters).filter(([, parameter]) => parameter.Default === undefined)).toEqual([]);
      expect(environmentOf(deployment.template).ATLAS_SECRET_ID).toBe(state.env.get('SECRET_ARN'));
      expect(state.env.get('SECRET_ARN')).toContain(`:secretsmanager:${state.env.get('AWS_REGION')}:`);
    }
  });

  it('goes live the same way through the policy file ("dryRun": false) as through -c dryRun=false', () => {
    const live = deployments().at(-1)!;
    const { dryRun: _dropped, ...context } = live.context;
    const file = join(state.files, 'live-policy.json');
    const policy = JSON.parse(readFileSync(join(state.files, context.policyFile ?? ''), 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...policy, dryRun: false }));
    const viaFile = new AtlasKeyWorkerStack(testApp(), live.stackName, {
      settings: readStackSettings((key) => ({ ...context, policyFile: file })[key]),
    });
    expect(templateDiff(Template.fromStack(viaFile).toJSON(), live.template.toJSON())).toEqual([]);
  });

  it('sends one command to each lane', () => {
    expect(state.seen.get('send WorkQueueUrl')).toHaveLength(1);
    expect(state.seen.get('send UrgentQueueUrl')).toHaveLength(1);
  });
});
