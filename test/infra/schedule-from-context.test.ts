import { describe, expect, it } from 'vitest';
import { scheduleExpressionsFromContext } from '../../infra/schedule-from-context.ts';

describe('scheduleExpressionsFromContext', () => {
  it('reads one cron expression', () => {
    expect(scheduleExpressionsFromContext('cron(0 3 * * ? *)')).toEqual(['cron(0 3 * * ? *)']);
  });

  it('reads several, separated by ";", keeping commas inside cron fields', () => {
    expect(scheduleExpressionsFromContext(' cron(0 3,15 * * ? *) ; rate(6 hours) ')).toEqual([
      'cron(0 3,15 * * ? *)',
      'rate(6 hours)',
    ]);
  });

  it('reads "none" as no schedule', () => {
    expect(scheduleExpressionsFromContext('none')).toEqual([]);
  });

  it('fails if a cron expression has five fields, naming the key and the expression', () => {
    expect(() => scheduleExpressionsFromContext('cron(0 3 * * *)')).toThrow(
      'context "schedule" must be cron(…) with six fields or rate(N unit), separated by ";" (given "cron(0 3 * * *)")',
    );
  });

  it('fails if the value is empty or not a string', () => {
    expect(() => scheduleExpressionsFromContext(' ; ')).toThrow(/at least one schedule expression/);
    expect(() => scheduleExpressionsFromContext(3)).toThrow('context "schedule" must be a string of schedule expressions (given 3)');
  });

  it('fails if a rate has no unit', () => {
    expect(() => scheduleExpressionsFromContext('rate(5)')).toThrow('(given "rate(5)")');
  });
});
