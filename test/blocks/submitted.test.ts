import { describe, expect, it } from 'vitest';
import { renderSubmitted } from '../../blocks/submitted.js';
import { expectFits, sectionTexts } from '../support/view-checks.js';

describe('renderSubmitted', () => {
  it('says the request is under way and where results go', () => {
    const view = renderSubmitted({
      requestId: 'req_1',
      customerName: 'Contoso',
      status: 'running',
      resultsChannelId: 'C123',
    });
    expectFits(view);
    expect(view.submit).toBeUndefined();
    expect(view.close?.text).toBe('Done');
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('*Your request for Contoso is under way.*');
    expect(text).not.toContain('req_1');
    expect(text).toContain('<#C123>');
    // The id stays where it can be looked up: the context line.
    const contexts = view.blocks.filter((b) => b.type === 'context');
    expect(JSON.stringify(contexts)).toContain('Request req_1');
  });

  it('never lists the requester among who may approve', () => {
    const view = renderSubmitted({
      requestId: 'req_5',
      customerName: 'Contoso',
      status: 'pending_approval',
      approvers: ['U1', 'U0OP', 'U2'],
      requestedBy: 'U0OP',
    });
    expectFits(view);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('waiting for approval* by <@U1>, <@U2>.');
    expect(text).not.toContain('U0OP');
    expect(text).toContain('You cannot approve your own request.');
  });

  it('says who may approve when it waits for approval', () => {
    const view = renderSubmitted({
      requestId: 'req_2',
      customerName: '<!here>',
      status: 'pending_approval',
      approvers: ['U1', 'U2'],
      approvalChannelId: 'C9',
      resultsInDm: true,
      revocations: 12,
    });
    expectFits(view);
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('waiting for approval');
    expect(text).toContain('<@U1>, <@U2> in <#C9>');
    expect(text).toContain('direct message');
    expect(text).not.toContain('<!here>');
  });
});

describe('renderSubmitted says why approval is needed', () => {
  it('shows the reason the policy gave, escaped, only while it waits for approval', () => {
    const why =
      "it revokes 2 licenses; with your 2 earlier requests on this customer in the last 24 h: 6 revocations, and 5 or more need a manager's approval. <!here>";
    const pending = renderSubmitted({
      requestId: 'req_3',
      customerName: 'Contoso',
      status: 'pending_approval',
      revocations: 2,
      approvalReason: why,
    });
    expectFits(pending);
    const json = JSON.stringify(pending.blocks);
    expect(json).toContain('Why: it revokes 2 licenses; with your 2 earlier requests');
    expect(json).not.toContain('<!here>');
    const running = renderSubmitted({ requestId: 'req_4', customerName: 'Contoso', status: 'running' });
    expect(JSON.stringify(running.blocks)).not.toContain('Why:');
  });
});

describe('renderSubmitted wording', () => {
  it('counts holders who only change plans apart from the licenses to assign', () => {
    const view = renderSubmitted({
      requestId: 'req_1',
      customerName: 'Contoso',
      status: 'running',
      assignments: 30,
      planChanges: 13,
      revocations: 0,
    });
    expectFits(view);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('17 licenses to assign');
    expect(text).toContain('plans to change for 13 users who have the product');
    const onlyPlans = JSON.stringify(
      renderSubmitted({
        requestId: 'r',
        customerName: 'C',
        status: 'running',
        assignments: 2,
        planChanges: 2,
      }).blocks,
    );
    expect(onlyPlans).not.toContain('to assign');
    expect(onlyPlans).toContain('plans to change for 2 users who have the product');
    const one = renderSubmitted({
      requestId: 'r',
      customerName: 'C',
      status: 'running',
      assignments: 1,
      planChanges: 1,
    });
    expect(JSON.stringify(one.blocks)).toContain('plans to change for 1 user who has the product');
  });

  it('titles the modal by outcome and counts licenses, leaving out zero counts', () => {
    const running = renderSubmitted({
      requestId: 'req_1',
      customerName: 'Contoso',
      status: 'running',
      assignments: 1,
      revocations: 0,
    });
    expectFits(running);
    expect(running.title.text).toBe('Request sent');
    expect(JSON.stringify(running.blocks)).toContain('1 license to assign');
    expect(JSON.stringify(running.blocks)).not.toContain('to revoke');
    const pending = renderSubmitted({
      requestId: 'req_1',
      customerName: 'Contoso',
      status: 'pending_approval',
      revocations: 12,
    });
    expectFits(pending);
    expect(pending.title.text).toBe('Sent for approval');
    expect(sectionTexts(pending).join('\n')).toContain(
      'waiting for approval*. Nothing changes until it is approved.',
    );
    expect(JSON.stringify(pending.blocks)).toContain('12 licenses to revoke');
  });
});
