import { describe, expect, it } from 'vitest';
import { decidersText } from '../../../blocks/approval-request.js';
import { countsLine, decisionLine } from '../../../src/slack/approval/approval-notifier.js';
import { makeApproval } from '../../support/licensing-factories.js';

describe('decidersText', () => {
  it('names approvers and the user group, or says none is configured', () => {
    expect(decidersText(['U1', 'U2'], undefined)).toBe('<@U1> or <@U2>');
    expect(decidersText(['U1', 'U2', 'U3'], 'S9')).toBe('<@U1>, <@U2>, <@U3> or a member of <!subteam^S9>');
    expect(decidersText([], 'S9')).toBe('a member of <!subteam^S9>');
    expect(decidersText([], undefined)).toBe('an approver (none is configured yet)');
  });

  it('leaves the requester out: nobody decides their own request', () => {
    expect(decidersText(['U1', 'U0OP', 'U2'], undefined, 'U0OP')).toBe('<@U1> or <@U2>');
    expect(decidersText(['U0OP'], 'S9', 'U0OP')).toBe('a member of <!subteam^S9>');
    expect(decidersText(['U0OP'], undefined, 'U0OP')).toBe('another approver (none is configured yet)');
    expect(decidersText(['U1'], undefined, 'U0OP')).toBe('<@U1>');
  });

  it('names at most 20 approvers and counts the others', () => {
    const many = Array.from({ length: 45 }, (_, i) => `U${String(i).padStart(3, '0')}`);
    const text = decidersText(many, 'S9', 'U000');
    expect(text.match(/<@U/g)).toHaveLength(20);
    expect(text).not.toContain('<@U000>');
    expect(text).toContain('<@U020>, 24 more approvers or a member of <!subteam^S9>');
  });
});

describe('decisionLine', () => {
  it('says who decided and when, and nothing while pending', () => {
    const decidedAt = '2025-03-01T10:00:00.000Z';
    expect(decisionLine(makeApproval({ status: 'pending' }))).toBeNull();
    expect(decisionLine(makeApproval({ status: 'approved', decidedBy: 'U1', decidedAt }))).toMatch(
      /^:white_check_mark: Approved by <@U1> <!date\^1740823200\^/,
    );
    expect(decisionLine(makeApproval({ status: 'expired' }))).toContain('without a decision');
  });

  it('quotes the reject reason escaped, so it cannot mention or link', () => {
    const line = decisionLine(
      makeApproval({ status: 'rejected', decidedBy: 'U1', decisionReason: 'ask <!here> & <http://x|y>' }),
    );
    expect(line).toContain('Rejected by <@U1>');
    expect(line).toContain('ask &lt;!here&gt; &amp; &lt;http://x|y&gt;');
    expect(line).not.toContain('<!here>');
  });
});

describe('countsLine', () => {
  it('gives the final counts of a run', () => {
    expect(countsLine({ total: 12, done: 12, success: 9, noop: 2, failed: 1 })).toBe(
      'Run finished: :white_check_mark: 9 succeeded · 2 no change · :x: 1 failed (of 12).',
    );
  });
});
