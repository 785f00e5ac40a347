/** Pushed view: who of the selection holds one product, directly or through a group. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { TenantUser } from '../src/licensing/model.js';
import { actions, button, confirmDialog, context, plural, readOnlyModal, section } from './elements.js';
import { type HoldersOverview, keepersThroughGroup } from './group-keepers.js';
import { ids } from './ids.js';
import { escapeMrkdwn, oneLine, packLines, truncate } from './limits.js';
import { stateText } from './product-lines.js';
import { pagedList } from './selected-users.js';
import { sortUsers, userLine } from './users-step.js';

export interface ProductHoldersData {
  draftId: string;
  overview: HoldersOverview;
  /** The selected users (names for the holder ids; unknown ids are shown as ids). */
  users: readonly TenantUser[];
  /** How many users are selected; defaults to `users.length`. */
  selectedCount?: number;
  /** 0-based page when the holders do not fit one view. */
  page?: number;
}

/**
 * "Select these users": keep only the listed users in the selection (shown when some selected
 * users are not listed). Action `select_holders`, value = skuId.
 */
function selectTheseBlocks(skuId: string, listed: number, data: ProductHoldersData): KnownBlock[] {
  const selected = data.selectedCount ?? data.users.length;
  if (listed === 0 || listed >= selected) return [];
  const others = selected - listed;
  return [
    actions([
      button({
        actionId: ids.actions.selectHolders,
        text: listed === 1 ? 'Select this user' : `Select these ${listed} users`,
        value: skuId,
        confirm: confirmDialog({
          title: 'Select these users?',
          text: `The selection becomes the ${plural(listed, 'user')} listed here; the other ${plural(others, 'selected user')} leave it.`,
          confirm: 'Select them',
          deny: 'Keep the selection',
        }),
      }),
    ]),
  ];
}

/**
 * The "Who has it" modal; private_metadata `{ draftId, skuId }`; close "Back", no submit. Paging
 * buttons (only when needed) have action ids `holders_page_previous` / `holders_page_next`
 * (`patterns.holdersPage`), value = page to show.
 */
export function renderProductHolders(data: ProductHoldersData): ModalView {
  const { overview } = data;
  const byId = new Map(data.users.map((u) => [u.id, u]));
  const resolve = (id: string): TenantUser =>
    byId.get(id) ?? { id, displayName: id, email: '', usageLocation: null };
  const direct = sortUsers(overview.holders.map(resolve));
  const inherited = sortUsers(
    overview.inheritedHolders.filter((id) => !overview.holders.includes(id)).map(resolve),
  );
  const keepers = new Set(keepersThroughGroup(overview));
  const directLine = (u: TenantUser) =>
    keepers.has(u.id) ? `• ${userLine(u)} · _also through a group: keeps it if revoked_` : `• ${userLine(u)}`;
  const keepNote =
    keepers.size === 0
      ? ''
      : `: ${keepers.size} of them also ${keepers.size === 1 ? 'gets' : 'get'} it through a group and would keep it if revoked`;
  const lines = [
    ...(direct.length > 0
      ? [`*Assigned directly (${direct.length})*${keepNote}`, ...direct.map(directLine)]
      : []),
    ...(inherited.length > 0
      ? [
          `*Through a group only (${inherited.length})*: cannot be revoked here`,
          ...inherited.map((u) => `• ${userLine(u)}`),
        ]
      : []),
  ];
  const blocks: KnownBlock[] = [
    section(
      `*${escapeMrkdwn(truncate(oneLine(overview.product.name), 200))}*\n${stateText(overview, data.selectedCount ?? data.users.length)}`,
    ),
  ];
  if (lines.length === 0) blocks.push(context(['None of the selected users has this product.']));
  blocks.push(...selectTheseBlocks(overview.product.skuId, direct.length + inherited.length, data));
  blocks.push(...pagedList(packLines(lines), ids.actions.holdersPage, data.page));
  return readOnlyModal({ callbackId: ids.views.holders, title: 'Who has it', close: 'Back' }, blocks, {
    draftId: data.draftId,
    skuId: overview.product.skuId,
  });
}
