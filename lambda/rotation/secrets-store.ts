import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

/** What DescribeSecret tells a rotation. */
export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  /** Version id → its staging labels. */
  readonly stages: Readonly<Record<string, readonly string[]>>;
}

/** One version's value. `createdDate` is when Secrets Manager stored it. */
export interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  readonly createdDate?: Date;
  readonly stages: readonly string[];
}

/**
 * The Secrets Manager calls a rotation makes, over the SDK's client (its endpoint from the standard settings,
 * e.g. `AWS_ENDPOINT_URL_SECRETS_MANAGER`). Values pass through untouched and are never logged here.
 */
export class SecretsStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const answer = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages: Record<string, readonly string[]> = {};
    for (const [versionId, labels] of Object.entries(answer.VersionIdsToStages ?? {})) stages[versionId] = [...labels];
    return { arn: answer.ARN ?? secretId, name: answer.Name ?? secretId, rotationEnabled: answer.RotationEnabled === true, stages };
  }

  /**
   * A version by stage, by id, or both (the pair must agree). `undefined` when there is no such version or it has
   * no value yet (the version Secrets Manager reserves for a rotation has none until createSecret stores one).
   */
  async get(secretId: string, select: { readonly stage?: string; readonly versionId?: string }): Promise<SecretVersion | undefined> {
    try {
      const answer = await this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          ...(select.stage === undefined ? {} : { VersionStage: select.stage }),
          ...(select.versionId === undefined ? {} : { VersionId: select.versionId }),
        }),
      );
      if (answer.SecretString === undefined || answer.VersionId === undefined) return undefined;
      return {
        versionId: answer.VersionId,
        value: answer.SecretString,
        ...(answer.CreatedDate === undefined ? {} : { createdDate: answer.CreatedDate }),
        stages: answer.VersionStages ?? [],
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Stores `value` as version `token`, staged AWSPENDING (the label moves here from any other version). */
  async putPending(secretId: string, token: string, value: string): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: ['AWSPENDING'] }),
    );
  }

  /** Moves `stage` to version `to` (from `from`, which must hold it when given). */
  async moveStage(secretId: string, stage: string, to: string, from: string | undefined): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        MoveToVersionId: to,
        ...(from === undefined ? {} : { RemoveFromVersionId: from }),
      }),
    );
  }

  /** Takes `stage` off version `from`. */
  async removeStage(secretId: string, stage: string, from: string): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: stage, RemoveFromVersionId: from }));
  }
}

/** The version that holds `stage`, per DescribeSecret. */
export function versionWithStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.stages).find(([, labels]) => labels.includes(stage))?.[0];
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ResourceNotFoundException';
}
