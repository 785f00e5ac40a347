import { describe, expect, it } from 'vitest';
import {
  approvalBasis,
  approvalExpiresAt,
  approvalReason,
  countsInWindow,
  isApprovalExpired,
  needsApproval,
  ranWithoutApproval,
  takenAwayText,
} from '../../src/licensing/policy.js';

const policy = { threshold: 5, windowHours: 24 };

describe('needsApproval', () => {
  it('asks for approval at or above the threshold only', () => {
    expect(needsApproval(9, 10)).toBe(false);
    expect(needsApproval(10, 10)).toBe(true);
    expect(needsApproval(250, 10)).toBe(true);
    expect(needsApproval(0, 1)).toBe(false);
  });

  it('adds the earlier revocations of the window, but a request that revokes nothing never needs it', () => {
    expect(needsApproval(2, 5, 4)).toBe(true);
    expect(needsApproval(2, 5, 2)).toBe(false);
    expect(needsApproval(0, 5, 40)).toBe(false);
  });
});

describe('takenAwayText', () => {
  it('names what is taken away, without zero counts', () => {
    expect(takenAwayText(2, 0)).toBe('revokes 2 licenses');
    expect(takenAwayText(0, 1)).toBe('turns service plans off on 1 license users keep');
    expect(takenAwayText(1, 3)).toBe(
      'revokes 1 license and turns service plans off on 3 licenses users keep',
    );
  });
});

describe('approvalBasis', () => {
  it('counts plan removals as revocations', () => {
    const basis = approvalBasis({ revocations: 0, planRemovals: 8 }, [], { threshold: 3, windowHours: 24 });
    expect(basis).toMatchObject({ own: 8, total: 8, needsApproval: true });
  });

  it('sums the earlier requests that ran without approval, and only those', () => {
    const earlier = [
      { status: 'completed' as const, revocations: 2 },
      { status: 'running' as const, revocations: 2, approvalRequired: false },
      { status: 'completed' as const, revocations: 30, approvalRequired: true },
      { status: 'rejected' as const, revocations: 30 },
      { status: 'expired' as const, revocations: 30 },
      { status: 'completed' as const, revocations: 0 },
    ];
    const basis = approvalBasis({ revocations: 2, planRemovals: 0 }, earlier, policy);
    expect(basis).toMatchObject({
      own: 2,
      earlierRequests: 2,
      earlierRevocations: 4,
      total: 6,
      needsApproval: true,
    });
    expect(approvalReason(basis)).toBe(
      "it revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6 revocations, and 5 or more need a manager's approval.",
    );
  });

  it('says plainly why a single request needs approval', () => {
    const basis = approvalBasis({ revocations: 4, planRemovals: 1 }, [], policy);
    expect(approvalReason(basis)).toBe(
      "it revokes 4 licenses and turns service plans off on 1 license users keep: 5 revocations, and 5 or more need a manager's approval.",
    );
    const plansOnly = approvalBasis({ revocations: 0, planRemovals: 8 }, [], {
      threshold: 3,
      windowHours: 24,
    });
    expect(approvalReason(plansOnly)).toBe(
      "it turns service plans off on 8 licenses users keep: 8 revocations, and 3 or more need a manager's approval.",
    );
  });

  it('counts approved, running and completed requests that needed no approval', () => {
    expect(countsInWindow({ status: 'approved' })).toBe(true);
    expect(countsInWindow({ status: 'pending_approval' })).toBe(false);
    expect(countsInWindow({ status: 'completed', approvalRequired: true })).toBe(false);
  });
});

describe('approval expiry', () => {
  it('expires ttl hours after creation, not before', () => {
    const created = new Date('2025-01-01T12:00:00Z');
    const expiresAt = approvalExpiresAt(created, 24);
    expect(expiresAt.toISOString()).toBe('2025-01-02T12:00:00.000Z');
    const approval = { expiresAt: expiresAt.toISOString() };
    expect(isApprovalExpired(approval, new Date('2025-01-02T11:59:59Z'))).toBe(false);
    expect(isApprovalExpired(approval, new Date('2025-01-02T12:00:00Z'))).toBe(true);
  });
});

describe('ranWithoutApproval', () => {
  const basis = (needsApproval: boolean) =>
    approvalBasis({ revocations: needsApproval ? 3 : 1, planRemovals: 0 }, [], {
      threshold: 3,
      windowHours: 24,
    });

  it('is true only for a request that needed approval and was saved without waiting for it', () => {
    expect(ranWithoutApproval({ approvalRequired: false, approvalBasis: basis(true) })).toBe(true);
    expect(ranWithoutApproval({ approvalRequired: true, approvalBasis: basis(true) })).toBe(false);
    expect(ranWithoutApproval({ approvalRequired: false, approvalBasis: basis(false) })).toBe(false);
    // Requests saved before the basis was stored say nothing of it.
    expect(ranWithoutApproval({ approvalRequired: false })).toBe(false);
  });
});
