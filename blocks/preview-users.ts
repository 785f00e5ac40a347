/** Pushed from a preview line: its users, those who fail (and why) first, then who changes, then the no-ops. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { TenantUser } from '../src/licensing/model.js';
import { PREVIEW_REASONS, type PreviewLine } from '../src/licensing/preview.js';
import { context, plural, readOnlyModal, section } from './elements.js';
import { ids } from './ids.js';
import { packLines } from './limits.js';
import { lineTitle, reasonWords } from './preview.js';
import { pagedList } from './selected-users.js';
import { sortUsers, userLine } from './users-step.js';

type Named = Pick<TenantUser, 'id' | 'displayName' | 'email'>;

export interface PreviewUsersData {
  draftId: string;
  line: PreviewLine;
  productName: string;
  /** A replacement's product given instead (its line's `to`). */
  toName?: string;
  /** Names of the line's users (an id without one is shown as the id). */
  users: readonly Named[];
  /** 0-based page (paging buttons `ids.actions.previewUsersPage`, value = page). */
  page?: number;
}

function groupLines(title: string, users: readonly Named[], note = ''): string[] {
  if (users.length === 0) return [];
  return [`*${title} (${users.length})*${note}`, ...sortUsers(users).map((user) => `• ${userLine(user)}`)];
}

/** The "Users" modal of one preview line; private_metadata `{ draftId, skuId, op }`; close "Back". */
export function renderPreviewUsers(data: PreviewUsersData): ModalView {
  const { line } = data;
  const byId = new Map(data.users.map((user) => [user.id, user]));
  const named = (id: string): Named => byId.get(id) ?? { id, displayName: id, email: '' };
  const assign = line.op === 'assign';
  const verb = { assign: 'Assign', revoke: 'Revoke', replace: 'Replace' }[line.op];
  const failing = PREVIEW_REASONS.flatMap((reason) =>
    groupLines(
      `Will fail: ${reasonWords(reason, line.op)}`,
      line.failures.filter((failure) => failure.reason === reason).map((failure) => named(failure.userId)),
    ),
  );
  const lines = [
    ...failing,
    ...groupLines(
      assign ? 'Will get it' : line.op === 'replace' ? 'Will change' : 'Will lose it',
      line.changes.map(named),
    ),
    ...groupLines(assign ? 'Have it already' : 'Do not have it', line.noops.map(named), ': no change'),
  ];
  const total = line.changes.length + line.noops.length + line.failures.length;
  const name = lineTitle(line, data.productName, data.toName);
  const blocks: KnownBlock[] = [
    section(`*${verb} ${name}*: ${plural(total, 'user')}`),
    ...pagedList(packLines(lines), ids.actions.previewUsersPage, data.page),
  ];
  if (total === 0) blocks.push(context(['No user is concerned any more.']));
  return readOnlyModal({ callbackId: ids.views.previewUsers, title: 'Users', close: 'Back' }, blocks, {
    draftId: data.draftId,
    skuId: line.skuId,
    op: line.op,
  });
}
