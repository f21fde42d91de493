import { describeError } from '../worker/describe-error.ts';
import { fail, pass, warn } from './check-result.ts';
import { CHECK_NAMES } from './constants.ts';
import type { CheckResult, CheckStateTarget } from './types.ts';

const IN_MEMORY = 'in-memory state (this process only: the write budget is neither shared nor durable)';

/**
 * The state table answers a read (`ping`), or a note that in-memory state is in use: expected for the CLI, a
 * warning for a deployed worker, whose write budget would then reset with every cold start.
 */
export async function checkState(state: CheckStateTarget | undefined, expectDurable: boolean): Promise<CheckResult> {
  const name = CHECK_NAMES.state;
  if (state === undefined || !state.durable) {
    const what = state?.backend.describe() ?? IN_MEMORY;
    if (!expectDurable) return pass(name, `${what}: no STATE_TABLE_NAME, as expected for a local run`);
    return warn(name, `${what}: the write budget resets with every cold start`, 'Set STATE_TABLE_NAME to the stack\'s state table (the construct does this).');
  }
  const what = state.backend.describe();
  try {
    await state.backend.ping();
    return pass(name, `${what} is reachable`);
  } catch (error) {
    return fail(
      name,
      `${what} is not usable: ${describeError(error).summary}`,
      `Check that STATE_TABLE_NAME names the stack's table in this region, that the function's role may dynamodb:GetItem, UpdateItem and BatchWriteItem on it, and that DynamoDB is reachable (VPC endpoint or NAT).`,
    );
  }
}
