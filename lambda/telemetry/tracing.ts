import type { RuntimeDependencies } from '../runtime/create-runtime.ts';

export interface Tracing {
  /** AWS SDK clients instrumented for X-Ray (empty when tracing is off). */
  readonly deps: Pick<RuntimeDependencies, 'secretsManager' | 'sqs' | 'dynamodb'>;
  /** Runs one invocation inside its own `## handler` subsegment (cold start and service annotated). */
  around<T>(invocation: () => Promise<T>): Promise<T>;
}

const OFF: Tracing = { deps: {}, around: (invocation) => invocation() };

/**
 * Powertools Tracer (X-Ray) when `POWERTOOLS_TRACE_ENABLED` is `true` (the construct sets it; default on): the
 * Secrets Manager, SQS and DynamoDB calls become subsegments. Loaded only then: the X-Ray SDK is large, and local
 * runs and tests have no daemon to send to.
 */
export async function tracingFromEnv(env: NodeJS.ProcessEnv): Promise<Tracing> {
  if (env['POWERTOOLS_TRACE_ENABLED'] !== 'true') return OFF;
  const [{ Tracer }, { SecretsManagerClient }, { SQSClient }, { DynamoDBClient }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-sdk/client-secrets-manager'),
    import('@aws-sdk/client-sqs'),
    import('@aws-sdk/client-dynamodb'),
  ]);
  const tracer = new Tracer({ serviceName: env['POWERTOOLS_SERVICE_NAME'] ?? 'atlas-key-worker' });
  return {
    deps: {
      secretsManager: tracer.captureAWSv3Client(new SecretsManagerClient({})),
      sqs: tracer.captureAWSv3Client(new SQSClient({})),
      dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    },
    async around(invocation) {
      const parent = tracer.getSegment();
      const handler = parent?.addNewSubsegment('## handler');
      if (handler) tracer.setSegment(handler);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
      try {
        return await invocation();
      } catch (error) {
        tracer.addErrorAsMetadata(error as Error);
        throw error;
      } finally {
        handler?.close();
        if (parent) tracer.setSegment(parent);
      }
    },
  };
}
