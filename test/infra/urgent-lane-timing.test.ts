import { Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { checkUrgentLaneTiming, urgentLaneTiming } from '../../infra/urgent-lane-timing.ts';

describe('urgentLaneTiming', () => {
  it('sizes the default lane: 2-minute visibility, DLQ after 440 s, alarm after 560 s, first failure alarmed after 200 s', () => {
    const timing = urgentLaneTiming(Duration.minutes(1), 2, 3);
    expect(timing.visibilityTimeout.toSeconds()).toBe(120);
    // 4 long polls of 20 s + 3 visibility timeouts of 120 s
    expect(timing.secondsToDeadLetter).toBe(440);
    expect(timing.secondsToDeadLetterAlarm).toBe(560);
    // 20 s poll + 60 s attempt + 120 s metric and evaluation
    expect(timing.secondsToFirstFailureAlarm).toBe(200);
  });

  it('grows with the timeout, the factor and the receive count', () => {
    expect(urgentLaneTiming(Duration.seconds(30), 2, 3).secondsToDeadLetterAlarm).toBe(380);
    expect(urgentLaneTiming(Duration.minutes(1), 3, 3).secondsToDeadLetterAlarm).toBe(740);
    expect(urgentLaneTiming(Duration.minutes(1), 2, 5).secondsToDeadLetterAlarm).toBe(840);
  });
});

describe('checkUrgentLaneTiming', () => {
  it('accepts up to the longest timeout that keeps the alarm within 10 minutes', () => {
    expect(() => checkUrgentLaneTiming('urgentTimeout', Duration.seconds(66), 2, 3)).not.toThrow();
    expect(() => checkUrgentLaneTiming('urgentTimeout', Duration.seconds(67), 2, 3)).toThrow(
      'urgentTimeout of 1 minute 7 seconds lets a failing revocation reach its alarm after 602 seconds, more than 600: keep it at most 66 seconds',
    );
  });

  it('fails under 10 seconds', () => {
    expect(() => checkUrgentLaneTiming('urgentTimeout', Duration.seconds(9), 2, 3)).toThrow(
      'urgentTimeout must be at least 10 seconds (given 9 seconds)',
    );
  });
});
