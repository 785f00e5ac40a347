import { describe, expect, it } from 'vitest';
import {
  approveActionId,
  assignGroupId,
  browseBlockId,
  ids,
  parseAssignGroupId,
  parseBrowseBlockId,
  parsePasteBlockId,
  parseRevokeGroupId,
  parseUserSearchBlockId,
  pasteBlockId,
  patterns,
  rejectActionId,
  revokeGroupId,
  userSearchBlockId,
} from '../../blocks/ids.js';

describe('ids', () => {
  it('has no duplicate view callback ids', () => {
    const values = Object.values(ids.views);
    expect(new Set(values).size).toBe(values.length);
  });

  it('builds and parses repeated ids', () => {
    expect(parseUserSearchBlockId(userSearchBlockId(12))).toBe(12);
    expect(parsePasteBlockId(pasteBlockId(3))).toBe(3);
    expect(parseBrowseBlockId(browseBlockId(4, 9))).toEqual({ page: 4, version: 9 });
    expect(parseAssignGroupId(assignGroupId(2))).toBe(2);
    expect(parseRevokeGroupId(revokeGroupId(1))).toBe(1);
    expect(parseRevokeGroupId(assignGroupId(1))).toBeNull();
    expect(parseUserSearchBlockId('user_search_vx')).toBeNull();
    expect(parseBrowseBlockId('browse_nav')).toBeNull();
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
