import { describe, expect, it } from 'vitest';
import { newId } from '../../src/licensing/ids.js';
import {
  actionOf,
  DraftMetadata,
  LicensesCommand,
  pageOf,
  parseEmailList,
  parseMetadata,
  StateValues,
  viewOf,
} from '../../src/slack/payloads.js';

describe('parseMetadata', () => {
  it('reads a draft reference and rejects anything else', () => {
    expect(parseMetadata(DraftMetadata, '{"draftId":"drf_abcdefgh23"}')).toEqual({
      draftId: 'drf_abcdefgh23',
    });
    expect(parseMetadata(DraftMetadata, '{"draftId":"drf_abcdefgh23","skuId":"sku"}')).toEqual({
      draftId: 'drf_abcdefgh23',
      skuId: 'sku',
    });
    expect(parseMetadata(DraftMetadata, '')).toBeNull();
    expect(parseMetadata(DraftMetadata, 'not json')).toBeNull();
    expect(parseMetadata(DraftMetadata, '{"draftId":""}')).toBeNull();
    expect(parseMetadata(DraftMetadata, '{"draftId":42}')).toBeNull();
  });

  it('accepts the draft ids the store makes and nothing shaped otherwise', () => {
    for (let i = 0; i < 100; i += 1) {
      const draftId = newId('drf');
      expect(parseMetadata(DraftMetadata, JSON.stringify({ draftId }))).toEqual({ draftId });
    }
    for (const draftId of [
      'constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
      'drf_1',
      'req_abcdefgh23',
    ]) {
      expect(parseMetadata(DraftMetadata, JSON.stringify({ draftId })), draftId).toBeNull();
    }
    expect(parseMetadata(DraftMetadata, JSON.stringify({ draftId: `drf_${'a'.repeat(10_000)}` }))).toBeNull();
  });
});

describe('button values', () => {
  it('reads a page only from digits', () => {
    const page = (value: unknown) => pageOf(actionOf({ action_id: 'a', block_id: 'b', value }));
    expect(page('0')).toBe(0);
    expect(page('42')).toBe(42);
    for (const value of ['', ' 2', '-1', '1.5', '1e3', '0x10', 'NaN', '9999999', 3, null, {}, ['1']]) {
      expect(page(value), JSON.stringify(value)).toBeNull();
    }
  });

  it('reads no action from a payload of the wrong shape', () => {
    expect(actionOf(null)).toBeNull();
    expect(actionOf({ action_id: 'a', block_id: 7 })).toBeNull();
    expect(actionOf({ action_id: 'a', block_id: 'b', value: { page: 1 } })).toBeNull();
  });
});

describe('viewOf', () => {
  it('keeps what listeners read and treats malformed blocks as having no id', () => {
    const view = viewOf({
      view: {
        id: 'V1',
        hash: 5,
        blocks: [null, { type: 'input', block_id: 7 }, { type: 'section', block_id: 's' }],
      },
    });
    expect(view?.id).toBe('V1');
    expect(view?.hash).toBeUndefined();
    expect(view?.blocks.map((block) => block.block_id)).toEqual([undefined, undefined, 's']);
    expect(viewOf({ view: { id: 'V1', blocks: null } })?.blocks).toEqual([]);
    expect(viewOf({ view: null })).toBeNull();
    expect(viewOf({ view: { blocks: [] } })).toBeNull();
  });
});

describe('LicensesCommand', () => {
  it('reads a missing text as an empty one', () => {
    const command = { user_id: 'U1', channel_id: 'C1', trigger_id: 't' };
    expect(LicensesCommand.parse(command).text).toBe('');
    expect(LicensesCommand.parse({ ...command, text: 'Contoso' }).text).toBe('Contoso');
    expect(LicensesCommand.safeParse({ ...command, text: 5 }).success).toBe(false);
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
