import type { ActionsBlock, Button, KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { BREAK_GLASS_VALUE, breakGlassInput, renderBreakGlassNotice } from '../../blocks/break-glass.js';
import { ids } from '../../blocks/ids.js';
import { type LicensesStepData, renderLicensesStep } from '../../blocks/licenses-step.js';
import { validateMessageBlocks, validateMessageText, validateModalView } from '../support/block-kit.js';
import { makeChangeRequest, makeItem, makeProduct, makeUser } from '../support/licensing-factories.js';

function request(reason = 'Compromised accounts') {
  const people = Array.from({ length: 20 }, (_, i) => makeUser({ displayName: `Person ${i}` }));
  return makeChangeRequest({
    id: 'req_abc123',
    status: 'approved',
    customerName: 'Contoso',
    requestedBy: 'U0BREAKER',
    reason,
    products: [{ skuId: 'e3', name: 'Office 365 E3' }],
    items: people.map((u) => makeItem(u, { revoke: ['e3'] })),
  });
}

function buttons(blocks: readonly KnownBlock[]): Button[] {
  return blocks.filter((b): b is ActionsBlock => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

function step(overrides: Partial<LicensesStepData>): ModalView {
  const product = makeProduct({ skuId: 'e3', name: 'Office 365 E3' });
  return renderLicensesStep({
    draftId: 'draft-1',
    customerName: 'Contoso',
    selectedCount: 20,
    products: [{ product, holders: ['u1'], inheritedHolders: [], state: 'some' }],
    approvalThreshold: 10,
    plannedRevocations: 20,
    ...overrides,
  });
}

const hasBreakGlass = (view: ModalView) => view.blocks.some((b) => b.block_id === ids.blocks.breakGlass);

describe('break-glass blocks', () => {
  it('offers "Run now without approval" in the manage step only to a break-glass operator, only when approval is needed', () => {
    const offered = step({ breakGlass: true });
    expect(validateModalView(offered)).toEqual([]);
    expect(hasBreakGlass(offered)).toBe(true);
    expect(hasBreakGlass(step({}))).toBe(false);
    expect(hasBreakGlass(step({ breakGlass: false }))).toBe(false);
    expect(hasBreakGlass(step({ breakGlass: true, plannedRevocations: 2 }))).toBe(false);
    const input = breakGlassInput();
    expect(input.optional).toBe(true);
    expect(JSON.stringify(input)).toContain(BREAK_GLASS_VALUE);
  });

  it('posts who, what, why and the thread, with Acknowledge for the request', () => {
    const message = renderBreakGlassNotice({
      request: request(),
      threadLink: 'https://fake.slack.com/archives/C1/p1',
    });
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    expect(validateMessageText(message.text, 'chat.postMessage')).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('Run without approval');
    expect(text).toContain('<@U0BREAKER>');
    expect(text).toContain('20 users');
    expect(text).toContain('Compromised accounts');
    expect(text).toContain('https://fake.slack.com/archives/C1/p1');
    expect(buttons(message.blocks).map((b) => [b.action_id, b.value])).toEqual([
      [ids.actions.acknowledgeBreakGlass, 'req_abc123'],
    ]);
  });

  it('shows who acknowledged it, without the button', () => {
    const message = renderBreakGlassNotice({ request: request(), acknowledgedBy: 'U0APPROVER' });
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    expect(buttons(message.blocks)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('Acknowledged by <@U0APPROVER>');
  });

  it('escapes the reason and keeps a very long one within the limits', () => {
    const message = renderBreakGlassNotice({
      request: request(`<!channel> ${'x'.repeat(5000)}`),
      threadLink: 'javascript:x',
    });
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('javascript:');
  });
});
