import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** One version of a secret: a value (absent while a rotation has only reserved it) and its staging labels. */
export interface LocalVersion {
  readonly versionId: string;
  value: string | undefined;
  stages: string[];
  readonly createdDate: number;
}

interface LocalSecret {
  readonly name: string;
  readonly arn: string;
  rotationEnabled: boolean;
  readonly versions: LocalVersion[];
}

type Operation = 'DescribeSecret' | 'GetSecretValue' | 'PutSecretValue' | 'UpdateSecretVersionStage' | 'RotateSecret';

interface Failure {
  readonly operation: Operation;
  remaining: number;
}

class ApiFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A small Secrets Manager endpoint on 127.0.0.1 speaking the service's JSON 1.1 protocol, with versions and
 * staging labels as the service keeps them: DescribeSecret, GetSecretValue (by stage and/or version),
 * PutSecretValue (idempotent per ClientRequestToken, labels move, AWSPREVIOUS follows AWSCURRENT),
 * UpdateSecretVersionStage, and RotateSecret (reserves an AWSPENDING version for a token and invokes nothing: the
 * test calls the steps). `failNext` scripts failures (a crash between an Atlas call and a Secrets Manager call).
 */
export async function startVersionedSecretsManager(options: { readonly now?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  const secrets = new Map<string, LocalSecret>();
  const calls: string[] = [];
  const failures: Failure[] = [];

  const find = (secretId: unknown): LocalSecret => {
    const id = String(secretId ?? '');
    const secret = secrets.get(id) ?? [...secrets.values()].find((candidate) => candidate.arn === id);
    if (secret === undefined) throw new ApiFailure('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };
  const holder = (secret: LocalSecret, stage: string) => secret.versions.find((version) => version.stages.includes(stage));
  const attach = (secret: LocalSecret, version: LocalVersion, stage: string) => {
    const previous = holder(secret, stage);
    if (previous === version) return;
    if (previous !== undefined) previous.stages = previous.stages.filter((label) => label !== stage);
    if (stage === 'AWSCURRENT' && previous !== undefined) {
      for (const other of secret.versions) other.stages = other.stages.filter((label) => label !== 'AWSPREVIOUS');
      previous.stages.push('AWSPREVIOUS');
    }
    version.stages.push(stage);
  };

  const operations: Record<Operation, (input: Record<string, unknown>) => unknown> = {
    DescribeSecret(input) {
      const secret = find(input['SecretId']);
      const stages: Record<string, string[]> = {};
      for (const version of secret.versions) if (version.stages.length > 0) stages[version.versionId] = [...version.stages];
      return { ARN: secret.arn, Name: secret.name, RotationEnabled: secret.rotationEnabled, VersionIdsToStages: stages };
    },
    GetSecretValue(input) {
      const secret = find(input['SecretId']);
      const versionId = input['VersionId'] as string | undefined;
      const stage = (input['VersionStage'] as string | undefined) ?? (versionId === undefined ? 'AWSCURRENT' : undefined);
      const version = secret.versions.find(
        (candidate) => (versionId === undefined || candidate.versionId === versionId) && (stage === undefined || candidate.stages.includes(stage)),
      );
      if (version?.value === undefined) {
        throw new ApiFailure('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the version or staging label.");
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.value,
        VersionStages: [...version.stages],
        CreatedDate: version.createdDate / 1000,
      };
    },
    PutSecretValue(input) {
      const secret = find(input['SecretId']);
      const token = String(input['ClientRequestToken'] ?? randomUUID());
      const value = String(input['SecretString'] ?? '');
      const stages = (input['VersionStages'] as string[] | undefined) ?? ['AWSCURRENT'];
      let version = secret.versions.find((candidate) => candidate.versionId === token);
      if (version?.value !== undefined && version.value !== value) {
        throw new ApiFailure('ResourceExistsException', `A version with ClientRequestToken ${token} already exists with a different value.`);
      }
      if (version === undefined) {
        version = { versionId: token, value, stages: [], createdDate: now().getTime() };
        secret.versions.push(version);
      }
      version.value = value;
      for (const stage of stages) attach(secret, version, stage);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
    },
    UpdateSecretVersionStage(input) {
      const secret = find(input['SecretId']);
      const stage = String(input['VersionStage'] ?? '');
      const to = input['MoveToVersionId'] as string | undefined;
      const from = input['RemoveFromVersionId'] as string | undefined;
      const current = holder(secret, stage);
      if (to !== undefined && current !== undefined && current.versionId !== to && current.versionId !== from) {
        throw new ApiFailure(
          'InvalidParameterException',
          `The staging label ${stage} is currently attached to version ${current.versionId}; specify it as RemoveFromVersionId.`,
        );
      }
      if (from !== undefined && to === undefined) {
        const version = secret.versions.find((candidate) => candidate.versionId === from);
        if (version === undefined || !version.stages.includes(stage)) {
          throw new ApiFailure('InvalidParameterException', `Version ${from} does not have the staging label ${stage}.`);
        }
        version.stages = version.stages.filter((label) => label !== stage);
      }
      if (to !== undefined) {
        const version = secret.versions.find((candidate) => candidate.versionId === to);
        if (version === undefined) throw new ApiFailure('ResourceNotFoundException', `Version ${to} does not exist.`);
        attach(secret, version, stage);
      }
      return { ARN: secret.arn, Name: secret.name };
    },
    RotateSecret(input) {
      const secret = find(input['SecretId']);
      const token = String(input['ClientRequestToken'] ?? randomUUID());
      secret.rotationEnabled = true;
      if (!secret.versions.some((version) => version.versionId === token)) {
        const reserved: LocalVersion = { versionId: token, value: undefined, stages: [], createdDate: now().getTime() };
        secret.versions.push(reserved);
        attach(secret, reserved, 'AWSPENDING');
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: token };
    },
  };

  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '') as Operation;
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      calls.push(`${operation} ${String(input['SecretId'] ?? '')}`);
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      try {
        const failure = failures.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
        if (failure !== undefined) {
          failure.remaining -= 1;
          throw new ApiFailure('InternalServiceError', `scripted failure of ${operation}`);
        }
        const handler = operations[operation];
        if (handler === undefined) throw new ApiFailure('UnknownOperationException', `unknown operation ${operation}`);
        reply(200, handler(input));
      } catch (error) {
        if (error instanceof ApiFailure) return reply(error.type === 'InternalServiceError' ? 500 : 400, { __type: error.type, message: error.message });
        reply(500, { __type: 'InternalServiceError', message: String(error) });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    calls,
    /** A client of this endpoint (static test credentials, one attempt: a scripted failure is not retried away). */
    client: () =>
      new SecretsManagerClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
        maxAttempts: 1,
      }),
    /** Creates a secret with one AWSCURRENT version; returns its ARN. */
    create(name: string, value: string, rotationEnabled = true): string {
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
      secrets.set(name, {
        name,
        arn,
        rotationEnabled,
        versions: [{ versionId: randomUUID(), value, stages: ['AWSCURRENT'], createdDate: now().getTime() }],
      });
      return arn;
    },
    /** The value under `stage` (default AWSCURRENT). */
    value(secretId: string, stage = 'AWSCURRENT'): string | undefined {
      const secret = find(secretId);
      return holder(secret, stage)?.value;
    },
    versions(secretId: string): readonly LocalVersion[] {
      return find(secretId).versions;
    },
    /** Starts a rotation as RotateSecret does (without invoking anything); returns its token. */
    startRotation(secretId: string, token: string = randomUUID()): string {
      operations.RotateSecret({ SecretId: secretId, ClientRequestToken: token });
      return token;
    },
    /** The next `times` calls of `operation` fail with a 500 (no retry by the client above). */
    failNext(operation: Operation, times = 1): void {
      failures.push({ operation, remaining: times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type VersionedSecretsManager = Awaited<ReturnType<typeof startVersionedSecretsManager>>;
