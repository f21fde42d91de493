import { Duration, Stack } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { CfnPermission, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnRotationSchedule } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResolvedRotation } from './rotation-config.ts';
import { grantSecretKey, grantSecretsRotation } from './worker-permissions.ts';

/** Props of `WorkerRotation`. */
export interface WorkerRotationProps {
  /** The function Secrets Manager invokes with `{SecretId, ClientRequestToken, Step}`. */
  readonly rotationFunction: IFunction;
  readonly rotation: ResolvedRotation;
}

/**
 * Makes the worker function the Secrets Manager rotation function of exactly the configured secrets: a
 * rotation schedule per secret, the four protocol actions on those secrets only, and an invoke permission per
 * secret (source ARN = that secret, source account = this one), so that no other secret can use the function.
 *
 * Built on `CfnRotationSchedule` rather than the L2 `RotationSchedule`, which would let Secrets Manager invoke
 * the function for any secret (a permission without source ARN) and grant `GetRandomPassword` on `*`, which
 * an Atlas key rotation never calls.
 */
export class WorkerRotation extends Construct {
  readonly schedules: readonly CfnRotationSchedule[];

  constructor(scope: Construct, id: string, props: WorkerRotationProps) {
    super(scope, id);
    const { rotationFunction: fn, rotation } = props;
    const account = Stack.of(this).account;

    grantSecretsRotation(
      fn,
      rotation.entries.map((entry) => entry.secretId),
    );
    for (const entry of rotation.entries) {
      if (entry.secret.encryptionKey) grantSecretKey(this, fn, entry.secret.encryptionKey, true);
    }

    this.schedules = rotation.entries.map((entry, index) => {
      const permission = new CfnPermission(this, `InvokeBySecretsManager${index}`, {
        action: 'lambda:InvokeFunction',
        functionName: fn.functionArn,
        principal: 'secretsmanager.amazonaws.com',
        sourceArn: entry.secretId,
        sourceAccount: account,
      });
      const schedule = new CfnRotationSchedule(this, `Schedule${index}`, {
        secretId: entry.secretId,
        rotationLambdaArn: fn.functionArn,
        rotationRules: { scheduleExpression: Schedule.rate(Duration.days(rotation.days)).expressionString },
        rotateImmediatelyOnUpdate: rotation.rotateImmediately,
      });
      // Secrets Manager checks that it may invoke the function, and the function its grants, when the schedule
      // is created; the function resource depends on its role's policy.
      schedule.node.addDependency(permission, fn);
      return schedule;
    });
  }
}
