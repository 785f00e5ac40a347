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
    expect(text).toContain('Request req_1 is under way');
    expect(text).toContain('<#C123>');
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
