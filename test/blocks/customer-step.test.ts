import { describe, expect, it } from 'vitest';
import { renderCustomerStep } from '../../blocks/customer-step.js';
import { ids } from '../../blocks/ids.js';
import { validateModalView } from '../support/block-kit.js';
import { makeCustomer } from '../support/licensing-factories.js';

describe('renderCustomerStep', () => {
  it('is a valid modal with an external select that shows customers before typing', () => {
    const view = renderCustomerStep({ draftId: 'd1' });
    expect(validateModalView(view)).toEqual([]);
    expect(view.callback_id).toBe(ids.views.customer);
    expect(view.submit?.text).toBe('Next');
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'd1' });
    const input = view.blocks.find((b) => b.block_id === ids.blocks.customer);
    expect(input).toMatchObject({
      type: 'input',
      element: { type: 'external_select', action_id: ids.actions.customer, min_query_length: 0 },
    });
  });

  it('preselects an initial customer and escapes the note', () => {
    const customer = makeCustomer({ name: 'Contoso <!channel>' });
    const view = renderCustomerStep({ initialCustomer: customer, note: 'No customer matches <!here>' });
    expect(validateModalView(view)).toEqual([]);
    const input = view.blocks.find((b) => b.block_id === ids.blocks.customer);
    expect(input).toMatchObject({ element: { initial_option: { value: customer.id } } });
    const json = JSON.stringify(view);
    expect(json).not.toContain('<!here>');
    expect(json).toContain('&lt;!here&gt;');
    expect(view.private_metadata).toBeUndefined();
  });

  it('works without any data', () => {
    expect(validateModalView(renderCustomerStep())).toEqual([]);
  });
});
