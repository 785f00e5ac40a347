import { describe, expect, it } from 'vitest';
import { DraftMetadata, parseEmailList, parseMetadata, StateValues } from '../../src/slack/payloads.js';

describe('parseMetadata', () => {
  it('reads a draft reference and rejects anything else', () => {
    expect(parseMetadata(DraftMetadata, '{"draftId":"drf_1"}')).toEqual({ draftId: 'drf_1' });
    expect(parseMetadata(DraftMetadata, '{"draftId":"drf_1","skuId":"sku"}')).toEqual({
      draftId: 'drf_1',
      skuId: 'sku',
    });
    expect(parseMetadata(DraftMetadata, '')).toBeNull();
    expect(parseMetadata(DraftMetadata, 'not json')).toBeNull();
    expect(parseMetadata(DraftMetadata, '{"draftId":""}')).toBeNull();
    expect(parseMetadata(DraftMetadata, '{"draftId":42}')).toBeNull();
  });
});

describe('StateValues', () => {
  const state = {
    values: {
      assign_0: { assign_0: { type: 'checkboxes', selected_options: [{ value: 'a' }, { value: 'b' }] } },
      assign_1: { assign_1: { type: 'checkboxes', selected_options: [{ value: 'c' }, { value: 'a' }] } },
      revoke_0: { revoke_0: { type: 'checkboxes', selected_options: [] } },
      customer: { customer_select: { type: 'external_select', selected_option: { value: 'cust-1' } } },
      reason: { approval_reason: { type: 'plain_text_input', value: '  Leavers  ' } },
      empty: { text: { type: 'plain_text_input', value: null } },
    },
  };

  it('collects selected options over every block matching a pattern, once each', () => {
    const values = new StateValues(state);
    expect(values.selectedMany(/^assign_\d+$/)).toEqual(['a', 'b', 'c']);
    expect(values.selectedMany(/^revoke_\d+$/)).toEqual([]);
  });

  it('reads single selects and trimmed texts; empty is null', () => {
    const values = new StateValues(state);
    expect(values.selected('customer', 'customer_select')).toBe('cust-1');
    expect(values.text('reason', 'approval_reason')).toBe('Leavers');
    expect(values.text('empty')).toBeNull();
    expect(values.text('missing')).toBeNull();
  });

  it('treats a malformed state as empty', () => {
    expect(new StateValues({ values: 'nope' }).selectedMany(/./)).toEqual([]);
    expect(new StateValues(undefined).text('x')).toBeNull();
  });
});

describe('parseEmailList', () => {
  it('splits on any separator, keeps order, de-duplicates case-insensitively', () => {
    const text = 'a@x.com, B@x.com;\nb@X.com  "Carol" <carol@x.com>\n\nd@x.com.';
    expect(parseEmailList(text)).toEqual({
      emails: ['a@x.com', 'B@x.com', 'carol@x.com', 'd@x.com'],
      invalid: [],
    });
  });

  it('reports tokens that look like e-mails but are not, and ignores plain words', () => {
    expect(parseEmailList('John Smith john@ broken@nowhere')).toEqual({
      emails: [],
      invalid: ['john@', 'broken@nowhere'],
    });
  });
});
