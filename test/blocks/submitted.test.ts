import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { renderSubmitted } from '../../blocks/submitted.js';
import { validateModalView } from '../support/block-kit.js';

function sectionTexts(view: ModalView): string[] {
  return (view.blocks as KnownBlock[]).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function expectFits(view: ModalView): void {
  expect(validateModalView(view)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
  for (const t of sectionTexts(view)) expect(t.length).toBeLessThanOrEqual(limits.sectionText);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(limits.privateMetadata);
}

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
