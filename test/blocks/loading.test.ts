import { describe, expect, it } from 'vitest';
import { ids } from '../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../blocks/loading.js';
import { validateModalView } from '../support/block-kit.js';

describe('loading and notice modals', () => {
  it('keeps the callback id of the step it stands for and the draft id', () => {
    const view = renderLoading({
      callbackId: ids.views.users,
      title: 'Choose users',
      text: 'Loading <!channel>…',
      draftId: 'd1',
    });
    expect(validateModalView(view)).toEqual([]);
    expect(view.callback_id).toBe(ids.views.users);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId: 'd1' });
    expect(JSON.stringify(view.blocks)).not.toContain('<!channel>');
  });

  it('renders a notice', () => {
    const view = renderNotice({
      callbackId: ids.views.customer,
      title: 'A very long title that does not fit',
      text: 'Expired',
    });
    expect(validateModalView(view)).toEqual([]);
    expect(view.title.text.length).toBeLessThanOrEqual(24);
  });
});
