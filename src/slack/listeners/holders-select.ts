/**
 * "Select these users" in the Who-has-it view: the selection keeps only the users it lists (the
 * product's holders among the selection), then the manage step beneath it (the root view) and the
 * Who-has-it view itself are rendered again for the new selection.
 */
import type { ModalView } from '@slack/types';
import { renderProductHolders } from '../../../blocks/product-holders.js';
import type { Draft } from '../../store/store.js';
import { draftCustomerId } from '../access.js';
import { actionOf, skuOf } from '../payloads.js';
import { updateView } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { overviewFor, renderLicensesFor } from './licenses-step.js';
import { refreshView, stepClick } from './step-args.js';

/** The holders (directly or through a group) of `skuId` among the draft's selection; null when the product is gone. */
async function holdersOf(deps: ListenerDeps, draft: Draft, skuId: string) {
  return (await overviewFor(deps, draft)).find((entry) => entry.product.skuId === skuId) ?? null;
}

async function renderHolders(deps: ListenerDeps, draft: Draft, skuId: string): Promise<ModalView | null> {
  const overview = await holdersOf(deps, draft, skuId);
  if (overview === null) return null;
  const users = await deps.service.getUsers(draftCustomerId(draft), [
    ...overview.holders,
    ...overview.inheritedHolders,
  ]);
  return renderProductHolders({
    draftId: draft.id,
    overview,
    users,
    selectedCount: draft.selectedUserIds.length,
  });
}

/** The button's click (value = skuId). */
export function selectHolders(deps: ListenerDeps) {
  return stepClick(async (step, args) => {
    const skuId = skuOf(actionOf(args.action));
    if (skuId === null) return;
    const overview = await holdersOf(deps, step.draft, skuId);
    if (overview === null) return;
    const listed = new Set([...overview.holders, ...overview.inheritedHolders]);
    // Kept as the selection is at write time: a user removed meanwhile is not brought back.
    const saved = await deps.store.updateDraft(step.draft.id, (current) => ({
      ...current,
      selectedUserIds: current.selectedUserIds.filter((id) => listed.has(id)),
    }));
    if (saved === null) return;
    const reread = async () => (await deps.store.getDraft(saved.id)) ?? saved;
    const root = step.view.root_view_id;
    if (root && root !== step.view.id) {
      await updateView(args.client, { viewId: root }, await renderLicensesFor(deps, saved), async () =>
        renderLicensesFor(deps, await reread()),
      );
    }
    const holders = await renderHolders(deps, saved, skuId);
    if (holders !== null) await refreshView(args.client, step.view, async () => holders);
  });
}
