import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planServiceAccountSecretRetirement } from '../../lambda/rotation/plan-service-account-secret-retirement.ts';

const base = { orgId: 'aaaaaaaaaaaaaaaaaaaaaa01', clientId: 'mdb_sa_id_0123456789abcdef0123456a', graceDays: 7 };
const OLD = { id: 'dddddddddddddddddddddd01', createdAt: '2026-10-01T12:00:00Z', expiresAt: '2026-11-08T12:00:00Z' };
const NEW = { id: 'dddddddddddddddddddddd02', createdAt: '2026-11-01T12:00:00Z', expiresAt: '2027-01-30T12:00:00Z' };

describe('Function: planServiceAccountSecretRetirement', () => {
  it('keeps the rotated-out secret through its grace date, and deletes it the day after', () => {
    // Act
    const onDate = planServiceAccountSecretRetirement({ ...base, secrets: [NEW, OLD], now: new Date('2026-11-08T11:00:00Z') });
    const after = planServiceAccountSecretRetirement({ ...base, secrets: [NEW, { ...OLD, expiresAt: '2027-01-01T00:00:00Z' }], now: new Date('2026-11-09T00:00:00Z') });

    // Assess
    expect(onDate.deletions).toEqual([]);
    expect(onDate.kept).toContainEqual({ secretId: OLD.id, why: 'rotated out at 2026-11-01T12:00:00.000Z; retires after 2026-11-08' });
    expect(after.deletions).toEqual([
      {
        kind: 'deleteServiceAccountSecret',
        orgId: base.orgId,
        clientId: base.clientId,
        secretId: OLD.id,
        reason: 'rotated out at 2026-11-01T12:00:00.000Z: retire-after 2026-11-08 passed',
        evidence: { createdAt: OLD.createdAt, expiresAt: '2027-01-01T00:00:00Z', supersededAt: '2026-11-01T12:00:00.000Z', retireAfter: '2026-11-08' },
      },
    ]);
  });

  it('deletes an expired rotated-out secret before its grace date (it only takes a slot)', () => {
    const plan = planServiceAccountSecretRetirement({ ...base, graceDays: 30, secrets: [OLD, NEW], now: new Date('2026-11-08T13:00:00Z') });
    expect(plan.deletions.map((deletion) => [deletion.secretId, deletion.reason])).toEqual([
      [OLD.id, 'rotated out at 2026-11-01T12:00:00.000Z and expired at 2026-11-08T12:00:00Z'],
    ]);
  });

  it('keeps secrets on request, and secrets whose createdAt cannot be read', () => {
    const plan = planServiceAccountSecretRetirement({
      ...base,
      secrets: [OLD, NEW, { id: 'dddddddddddddddddddddd03', createdAt: 'yesterday', expiresAt: '2026-01-01T00:00:00Z' }],
      now: new Date('2027-06-01T00:00:00Z'),
      keep: [OLD.id],
    });
    expect(plan.deletions).toEqual([]);
    expect(plan.kept.map((entry) => entry.secretId).sort()).toEqual([OLD.id, NEW.id, 'dddddddddddddddddddddd03'].sort());
  });

  it('property: never deletes the newest secret, and never deletes anything while one secret is left', () => {
    const secret = fc.record({
      id: fc.stringMatching(/^[a-f0-9]{24}$/),
      createdAt: fc.date({ min: new Date('2025-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
      expiresAt: fc.date({ min: new Date('2025-01-01'), max: new Date('2028-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
    });
    fc.assert(
      fc.property(fc.uniqueArray(secret, { selector: (item) => item.id, maxLength: 4 }), fc.integer({ min: 0, max: 365 }), fc.date({ min: new Date('2025-01-01'), max: new Date('2029-01-01'), noInvalidDate: true }), (secrets, graceDays, now) => {
        const plan = planServiceAccountSecretRetirement({ ...base, secrets, graceDays, now });
        const newest = [...secrets].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id)).at(-1);
        expect(plan.deletions.some((deletion) => deletion.secretId === newest?.id)).toBe(false);
        expect(plan.deletions.length).toBeLessThan(Math.max(1, secrets.length));
        expect(plan.deletions.length + plan.kept.length).toBe(secrets.length);
      }),
    );
  });
});
