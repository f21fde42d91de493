import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { readFileSync } from 'node:fs';
import { AwsSolutionsChecks, type NagPack, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AtlasKeyWorkerStack } from '../../infra/atlas-key-worker-stack.ts';
import { readStackSettings } from '../../infra/stack-settings.ts';
import { ACCOUNT, REGION, SECRET_ARN, testApp } from './helpers.ts';
import { acknowledgements, findings, rawFindings } from './nag-findings.ts';

/** GIVEN the app as `infra/app.ts` builds it from `context`: both packs registered as validation plugins. */
function nagApp(context: Record<string, string>) {
  const app = testApp();
  const stack = new AtlasKeyWorkerStack(app, 'AtlasKeyWorker', { settings: readStackSettings((key) => context[key]) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];

/** Every configuration the README and the tests deploy: each must pass both packs with exact acknowledgements. */
const CONFIGURATIONS: Array<[string, Record<string, string>]> = [
  ['no context (npm run synth)', {}],
  ['the walk-through’s deployment', { secretArn: SECRET_ARN, orgIds: '5f0000000000000000000001', alarmEmail: 'ops@example.com', staticEgress: 'true' }],
  ['two NAT gateways, no tracing, no alarms', { staticEgress: 'true', natGatewayPerAz: 'true', tracing: 'false', alarms: 'false' }],
  [
    'rotation, a customer-managed key, a topic ARN and a revocation rule',
    {
      secretArn: SECRET_ARN,
      orgIds: '5f0000000000000000000001',
      rotateOwnSecret: 'true',
      secretKmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:pager`,
      revocationSources: 'com.example.scanner',
    },
  ],
];

describe('cdk-nag: AwsSolutions and Serverless', () => {
  it.each(CONFIGURATIONS)('finds nothing unacknowledged with %s, and synthesis passes the plugins', (_name, context) => {
    const { app } = nagApp(context);
    for (const pack of packs()) expect(findings(pack, app)).toEqual([]);
    expect(() => app.synth()).not.toThrow();
  });

  it.each(CONFIGURATIONS)('acknowledges only findings that occur, each with a reason, with %s', (_name, context) => {
    // GIVEN every finding the packs would report without acknowledgements
    const { app } = nagApp(context);
    const raw = packs().flatMap((pack) => rawFindings(pack, app));
    // THEN each acknowledgement covers at least one of them, at its construct or below: none is stale
    const acks = acknowledgements(app).filter((ack) => /^(AwsSolutions|Serverless)-/.test(ack.rule));
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const covered = raw.filter((finding) => finding.rule === ack.rule && `${finding.path}/`.startsWith(`${ack.path}/`));
      expect(covered, `${ack.rule} at ${ack.path}`).not.toEqual([]);
      expect(ack.reason.length, `${ack.rule} at ${ack.path}`).toBeGreaterThan(80);
    }
  });

  it('acknowledges exactly these rules, and not the stale SNS2', () => {
    const { app } = nagApp(CONFIGURATIONS[1]![1]);
    const rules = new Set(
      acknowledgements(app)
        .map((ack) => ack.rule)
        .filter((rule) => /^(AwsSolutions|Serverless)-/.test(rule)),
    );
    expect([...rules].sort()).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SQS3',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaEventSourceMappingDestination',
      'Serverless-SNSRedrivePolicy',
      'Serverless-SQSRedrivePolicy',
    ]);
  });

  it('fails synthesis on an unacknowledged finding (the check is live)', () => {
    const { app, stack } = nagApp({});
    new Queue(stack, 'Careless');
    expect(findings(new AwsSolutionsChecks(), app)).toEqual(
      expect.arrayContaining([{ rule: 'AwsSolutions-SQS3', path: 'AtlasKeyWorker/Careless/Resource' }]),
    );
    expect(findings(new ServerlessChecks(), app)).toEqual(
      expect.arrayContaining([{ rule: 'Serverless-SQSRedrivePolicy', path: 'AtlasKeyWorker/Careless/Resource' }]),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('lists in the README every NIST 800-53 r5 finding of the walk-through’s and the default deployment, and no other', () => {
    // GIVEN the NIST pack, run once on each deployment
    const found = new Set<string>();
    for (const context of [CONFIGURATIONS[1]![1], { ...CONFIGURATIONS[1]![1], staticEgress: 'false' }]) {
      const { app } = nagApp(context);
      for (const finding of findings(new NIST80053R5Checks(), app)) found.add(finding.rule.replace(/^NIST\.800\.53\.R5-/, ''));
    }
    // THEN the README's table has one row with a verdict per finding
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = /^\| NIST 800-53 r5 finding \| verdict \|\n\| --- \| --- \|\n((?:\|.*\|\n)+)/m.exec(readme)?.[1] ?? '';
    const rows = [...table.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)];
    const listed = rows.map(([, rule]) => rule);
    expect([...found].sort()).toEqual([...listed].sort());
    for (const [, , verdict] of rows) expect(verdict?.length).toBeGreaterThan(60);
  });
});
