/** "View all selected" on the users step: the whole selection in a pushed view, paged. */
import type { ModalView } from '@slack/types';
import { ids } from '../../../blocks/ids.js';
import { renderSelectedUsers } from '../../../blocks/selected-users.js';
import type { Draft } from '../../store/store.js';
import { draftCustomerId, draftOf } from '../access.js';
import type { ListenerDeps } from './deps.js';
import { type ActionArgs, pagedView, pushFromClick } from './step-args.js';

/** "View all selected": a pushed view with the whole selection, paged. */
export function viewSelected(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const { draft } = draftOf(args.context);
    await pushFromClick(args, () => renderSelectedFor(deps, draft, 0), {
      callbackId: ids.views.selected,
      title: 'Selected users',
      text: 'Loading the selection…',
    });
  };
}

async function renderSelectedFor(deps: ListenerDeps, draft: Draft, page: number): Promise<ModalView> {
  const users = await deps.service.getUsers(draftCustomerId(draft), draft.selectedUserIds);
  return renderSelectedUsers({
    draftId: draft.id,
    customerName: draft.customerName ?? '',
    users,
    page,
  });
}

/** Paging inside the pushed "selected users" view. */
export function selectedPage(deps: ListenerDeps) {
  return pagedView(
    ({ draft }, page) =>
      () =>
        renderSelectedFor(deps, draft, page),
  );
}
