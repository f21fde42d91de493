/**
 * The EventBridge contract for event-driven revocation. Plain constants, importable without aws-cdk-lib.
 *
 * A producer revokes a leaked key with one `PutEvents` entry:
 * `{ DetailType: REVOCATION_DETAIL_TYPE, Source: '<anything>', Detail: '{"orgId":"…","apiUserId":"…","reason":"…"}' }`
 * (`publicKey` may replace `apiUserId`). The rule forwards the whole event, envelope and all, to the work queue.
 */
export const REVOCATION_DETAIL_TYPE = 'Atlas API Key Revocation Requested';
