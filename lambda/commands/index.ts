export { describeCommand } from './describe-command.ts';
export { MAX_MESSAGE_BYTES, parseCommand } from './parse-command.ts';
export { REVOCATION_DETAIL_TYPE, type RevocationEvent, revocationEventSchema } from './revocation-event-schema.ts';
export * from './schema.ts';
