import { Duration } from 'aws-cdk-lib';

/** A failed revocation must page someone within this long (issue 12). */
export const REVOCATION_ALARM_BUDGET_SECONDS = 600;

/** Longest wait of Lambda's SQS long poll before it hands a visible message to the function. */
export const LONG_POLL_SECONDS = 20;

/**
 * A one-minute alarm on a one-minute metric fires at most this long after the minute in which its condition
 * became true: the minute's datapoint is published about a minute after it ends, and the alarm evaluates once
 * a minute.
 */
export const ALARM_DETECTION_SECONDS = 120;

/** How the urgent lane is sized, and what that means for a revocation that keeps failing. */
export interface UrgentLaneTiming {
  readonly visibilityTimeout: Duration;
  /** Send → moved to the DLQ, worst case: every receive waits a full long poll, every attempt times out. */
  readonly secondsToDeadLetter: number;
  /** Send → the DLQ alarm fires (worst case). */
  readonly secondsToDeadLetterAlarm: number;
  /** Send → the `CommandsFailed` alarm fires after the first failed attempt (worst case). */
  readonly secondsToFirstFailureAlarm: number;
}

/**
 * Sizes the urgent lane from the urgent function's timeout. Lambda refuses an SQS event source whose queue's
 * visibility timeout is shorter than the function's timeout, so the visibility timeout is `factor` × timeout.
 * A message that fails every attempt is received `maxReceiveCount` times, each time invisible for the
 * visibility timeout, and is moved to the DLQ by the next receive:
 *
 *   toDeadLetter = (maxReceiveCount + 1) × longPoll + maxReceiveCount × visibilityTimeout
 *   toAlarm      = toDeadLetter + alarm detection (2 × 60 s)
 *
 * Pure, for unit tests and the README's numbers.
 */
export function urgentLaneTiming(urgentTimeout: Duration, factor: number, maxReceiveCount: number): UrgentLaneTiming {
  const timeoutSeconds = urgentTimeout.toSeconds();
  const visibilitySeconds = Math.ceil(timeoutSeconds * factor);
  const secondsToDeadLetter = (maxReceiveCount + 1) * LONG_POLL_SECONDS + maxReceiveCount * visibilitySeconds;
  return {
    visibilityTimeout: Duration.seconds(visibilitySeconds),
    secondsToDeadLetter,
    secondsToDeadLetterAlarm: secondsToDeadLetter + ALARM_DETECTION_SECONDS,
    secondsToFirstFailureAlarm: LONG_POLL_SECONDS + timeoutSeconds + ALARM_DETECTION_SECONDS,
  };
}

/** Throws, with the computed numbers, when a failing revocation would alarm later than the budget. */
export function checkUrgentLaneTiming(
  name: string,
  urgentTimeout: Duration,
  factor: number,
  maxReceiveCount: number,
): void {
  if (urgentTimeout.isUnresolved()) return;
  const timing = urgentLaneTiming(urgentTimeout, factor, maxReceiveCount);
  const longestSeconds = Math.floor(
    (REVOCATION_ALARM_BUDGET_SECONDS - ALARM_DETECTION_SECONDS - (maxReceiveCount + 1) * LONG_POLL_SECONDS) /
      (maxReceiveCount * factor),
  );
  if (urgentTimeout.toMilliseconds() < 10_000) {
    throw new Error(`${name} must be at least 10 seconds (given ${urgentTimeout.toHumanString()})`);
  }
  if (timing.secondsToDeadLetterAlarm > REVOCATION_ALARM_BUDGET_SECONDS) {
    throw new Error(
      `${name} of ${urgentTimeout.toHumanString()} lets a failing revocation reach its alarm after ` +
        `${timing.secondsToDeadLetterAlarm} seconds, more than ${REVOCATION_ALARM_BUDGET_SECONDS}: ` +
        `keep it at most ${longestSeconds} seconds`,
    );
  }
}
