import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * The reference of the module-load ratio (issue 14): what any Powertools SQS handler that reads a secret pays at
 * load, and nothing of ours. Built and loaded exactly like `lambda/handler.ts` (`bench/load-ratio-bench.ts`); its
 * clients are built at load, as the worker's are. Never deployed.
 */
const logger = new Logger({ serviceName: 'reference' });
const metrics = new Metrics({ serviceName: 'reference', namespace: 'Reference' });
const secrets = new SecretsManagerClient({});
const processor = new BatchProcessor(EventType.SQS);

const recordHandler = async (record: SQSRecord): Promise<void> => {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: record.body }));
  logger.info('record', { messageId: record.messageId, versionId: secret.VersionId });
  metrics.addMetric('Records', MetricUnit.Count, 1);
};

export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processPartialResponse(event, recordHandler, processor, { context });
  } finally {
    metrics.publishStoredMetrics();
  }
};
