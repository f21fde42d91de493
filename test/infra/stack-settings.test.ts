import { describe, expect, it } from 'vitest';
import { readStackSettings } from '../../infra/stack-settings.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas/creds-AbCdEf';
const reader = (values: Record<string, unknown>) => (key: string) => values[key];

describe('readStackSettings', () => {
  it('reads the defaults of cdk.json', () => {
    const settings = readStackSettings(
      reader({
        secretName: 'atlas-key-worker/credentials',
        orgIds: '000000000000000000000000',
        dryRun: true,
        schedule: 'cron(0 3 * * ? *)',
        staticEgress: false,
      }),
    );
    expect(settings).toEqual({
      secret: { kind: 'name', name: 'atlas-key-worker/credentials' },
      orgIds: ['000000000000000000000000'],
      dryRun: true,
      scheduleExpressions: ['cron(0 3 * * ? *)'],
      staticEgress: false,
    });
  });

  it('reads -c values, which arrive as strings', () => {
    const settings = readStackSettings(
      reader({
        secretArn: ARN,
        orgIds: ' 5f0000000000000000000001, 5f0000000000000000000002 ,',
        dryRun: 'false',
        staticEgress: 'true',
        alarmEmail: 'ops@example.com',
        policyFile: 'policy.json',
      }),
    );
    expect(settings).toEqual({
      secret: { kind: 'arn', arn: ARN },
      orgIds: ['5f0000000000000000000001', '5f0000000000000000000002'],
      dryRun: false,
      staticEgress: true,
      alarmEmail: 'ops@example.com',
      policyFile: 'policy.json',
    });
  });

  it('leaves dryRun and the schedule to the construct when absent', () => {
    const settings = readStackSettings(reader({ secretName: 's' }));
    expect(settings).not.toHaveProperty('dryRun');
    expect(settings).not.toHaveProperty('scheduleExpressions');
    expect(settings.orgIds).toEqual([]);
  });

  it('fails if dryRun is not a boolean, naming the key and the value', () => {
    expect(() => readStackSettings(reader({ secretName: 's', dryRun: 'yes' }))).toThrow(
      'context "dryRun" must be true or false (given "yes")',
    );
  });

  it('fails if neither or both of secretName and secretArn are given', () => {
    expect(() => readStackSettings(reader({}))).toThrow('context "secretName" or "secretArn" is required (given neither)');
    expect(() => readStackSettings(reader({ secretName: 's', secretArn: ARN }))).toThrow(/alternatives/);
  });

  it('fails if secretArn is a partial ARN', () => {
    expect(() =>
      readStackSettings(reader({ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:atlas/creds' })),
    ).toThrow(/complete ARN, with its 6-character suffix/);
  });

  it('fails if alarmEmail is not an email address', () => {
    expect(() => readStackSettings(reader({ secretName: 's', alarmEmail: 'ops' }))).toThrow(
      'context "alarmEmail" must be an email address (given "ops")',
    );
  });

  it('fails if orgIds is neither a string nor a list of strings', () => {
    expect(() => readStackSettings(reader({ secretName: 's', orgIds: 42 }))).toThrow(
      'context "orgIds" must be comma-separated org ids (given 42)',
    );
  });
});
