import { describe, expect, it } from 'vitest';
import { approvalExpiresAt, isApprovalExpired, needsApproval } from '../../src/licensing/policy.js';

describe('needsApproval', () => {
  it('asks for approval at or above the threshold only', () => {
    expect(needsApproval(9, 10)).toBe(false);
    expect(needsApproval(10, 10)).toBe(true);
    expect(needsApproval(250, 10)).toBe(true);
    expect(needsApproval(0, 1)).toBe(false);
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
