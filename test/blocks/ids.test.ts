import { describe, expect, it } from 'vitest';
import {
  approveActionId,
  assignGroupId,
  browseBlockId,
  buyMoreActionId,
  holdersActionId,
  homeApprovalBlockId,
  ids,
  pagingIds,
  parseBrowseBlockId,
  parseUserSearchBlockId,
  pasteBlockId,
  patterns,
  planOffGroupId,
  plansActionId,
  productActionsBlockId,
  productChunkBlockId,
  rejectActionId,
  revokeGroupId,
  userSearchBlockId,
  viewRevokeListActionId,
} from '../../blocks/ids.js';

describe('ids', () => {
  it('has no duplicate view callback ids', () => {
    const values = Object.values(ids.views);
    expect(new Set(values).size).toBe(values.length);
  });

  it('builds and parses repeated ids', () => {
    expect(parseUserSearchBlockId(userSearchBlockId(12))).toBe(12);
    expect(pasteBlockId.parse(pasteBlockId(3))).toBe(3);
    expect(parseBrowseBlockId(browseBlockId(4, 9))).toEqual({ page: 4, version: 9 });
    expect(assignGroupId.parse(assignGroupId(2))).toBe(2);
    expect(revokeGroupId.parse(revokeGroupId(1))).toBe(1);
    expect(revokeGroupId.parse(assignGroupId(1))).toBeNull();
    expect(parseUserSearchBlockId('user_search_vx')).toBeNull();
    expect(parseBrowseBlockId('browse_nav')).toBeNull();
  });

  it('builds every repeated id from its prefix, as the routes and earlier views spell it', () => {
    expect(holdersActionId(3)).toBe('product_holders_3');
    expect(productActionsBlockId(2)).toBe('product_2_actions');
    expect(productChunkBlockId(1, 0)).toBe('product_1_0');
    expect(homeApprovalBlockId(4)).toBe('home_approval_4');
    expect(pagingIds(ids.actions.selectedPage)).toEqual({
      previous: 'selected_page_previous',
      next: 'selected_page_next',
      nav: 'selected_page_nav',
    });
    expect(viewRevokeListActionId(1)).toBe('approval_view_users_1');
  });

  it('matches only its own family', () => {
    const cases: [RegExp, string[], string[]][] = [
      [
        patterns.holders,
        [holdersActionId(0), holdersActionId(12)],
        ['product_holders_', 'product_holders_1x'],
      ],
      [patterns.plans, [plansActionId(4)], [holdersActionId(4)]],
      [patterns.buyMore, [buyMoreActionId(0)], ['buy_more']],
      [patterns.planOff, [planOffGroupId(2)], [revokeGroupId(2)]],
      [patterns.userSearchBlock, [userSearchBlockId(7)], ['user_search_v']],
      [patterns.pasteBlock, [pasteBlockId(1)], [ids.blocks.pasteActions]],
      [patterns.selectedPage, ['selected_page_previous', 'selected_page_next'], ['selected_page_nav']],
      [patterns.holdersPage, [pagingIds(ids.actions.holdersPage).next], ['holders_page_last']],
      [
        patterns.viewRevokeList,
        [viewRevokeListActionId(), viewRevokeListActionId(2)],
        ['approval_view_users_'],
      ],
      [patterns.reject, [rejectActionId(), rejectActionId(0)], [approveActionId(0)]],
    ];
    for (const [pattern, matching, other] of cases) {
      for (const id of matching) expect(pattern.test(id), `${pattern} ~ ${id}`).toBe(true);
      for (const id of other) expect(pattern.test(id), `${pattern} !~ ${id}`).toBe(false);
    }
  });

  it('has patterns that match what the builders make', () => {
    expect(patterns.assign.test(assignGroupId(0))).toBe(true);
    expect(patterns.revoke.test(revokeGroupId(11))).toBe(true);
    expect(patterns.browseBlock.test(browseBlockId(0, 0))).toBe(true);
    expect(patterns.browseBlock.test(ids.blocks.browseNav)).toBe(false);
    expect(patterns.approve.test(approveActionId())).toBe(true);
    expect(patterns.approve.test(approveActionId(3))).toBe(true);
    expect(patterns.reject.test(rejectActionId(3))).toBe(true);
    expect(patterns.approve.test(rejectActionId())).toBe(false);
  });
});
