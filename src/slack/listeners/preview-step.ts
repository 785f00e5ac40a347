/**
 * The preview between the manage step and the submission. The manage step's submit checks the
 * change (refusing impossible ones inline, as before), keeps the choice in the draft and answers
 * with what it will do (blocks/preview.ts), planned against the tenant as it is now; "‹ Back"
 * returns to the manage step with the ticks; a line's "Users" pushes its users, paged.
 */
import type { ModalView } from '@slack/types';
import { BREAK_GLASS_REASON_REQUIRED, BREAK_GLASS_VALUE } from '../../../blocks/break-glass.js';
import { ids } from '../../../blocks/ids.js';
import { renderLoading, renderNotice } from '../../../blocks/loading.js';
import { productNameOf, renderPreview } from '../../../blocks/preview.js';
import { renderPreviewUsers } from '../../../blocks/preview-users.js';
import type { ChangeInput, PreviewResult } from '../../licensing/licensing-service.js';
import { approvalReason } from '../../licensing/policy.js';
import type { PreviewLine } from '../../licensing/preview.js';
import { CANNOT_SAVE_TEXT, type Draft } from '../../store/store.js';
import { draftCustomerId, draftOf } from '../access.js';
import { actionOf, StateValues, type ViewRef } from '../payloads.js';
import { isLate, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { renderLicensesFor, tickedProducts } from './licenses-step.js';
import { halfPickErrors, replaceChoices, replacePicked } from './replace-choice.js';
import type { ActionArgs, SubmitArgs } from './step-args.js';
import { pagedView, pushFromClick, refreshView, stepClick } from './step-args.js';
import { type Errors, firstAssignBlock, problemErrors } from './submit-errors.js';

/** The manage step's choice, kept in the draft while its preview is on screen. */
export type Chosen = NonNullable<Draft['previewed']>;

export function changeOf(draft: Draft, chosen: Pick<Chosen, 'assign' | 'revoke' | 'replace'>): ChangeInput {
  const replace = replaceChoices(chosen.replace, draft.disabledPlansBySku);
  return {
    customerId: draft.customerId ?? '',
    userIds: draft.selectedUserIds,
    assign: chosen.assign.map((skuId) => ({ skuId, disabledPlans: draft.disabledPlansBySku[skuId] ?? null })),
    revoke: chosen.revoke,
    ...(replace.length > 0 ? { replace } : {}),
  };
}

/** The break-glass box is ticked by an operator in BREAK_GLASS_USER_IDS (the signed user id). */
export function breakGlassTicked(deps: ListenerDeps, userId: string, state: unknown): boolean {
  if (!deps.config.BREAK_GLASS_USER_IDS.includes(userId)) return false;
  return new StateValues(state)
    .selectedMany(ids.blocks.breakGlass, ids.actions.breakGlass)
    .includes(BREAK_GLASS_VALUE);
}

/** The ticks, replacement, reason and break-glass box of the manage step. */
function chosenOf(deps: ListenerDeps, userId: string, state: unknown): Chosen {
  return {
    ...tickedProducts(state),
    replace: replacePicked(state),
    reason: new StateValues(state).text(ids.blocks.reason, ids.actions.reason),
    breakGlass: breakGlassTicked(deps, userId, state),
  };
}

/** The preview modal of a checked change. */
export function previewView(
  draft: Draft,
  chosen: Chosen,
  checked: Extract<PreviewResult, { ok: true }>,
  error: string | null = null,
): ModalView {
  return renderPreview({
    draftId: draft.id,
    customerName: draft.customerName ?? '',
    preview: checked.preview,
    productNames: Object.fromEntries(checked.products.map((p) => [p.skuId, p.name])),
    usersButtons: true,
    submit: !checked.needsApproval ? 'apply' : chosen.breakGlass ? 'break_glass' : 'approval',
    ...(checked.needsApproval ? { approvalReason: approvalReason(checked.basis) } : {}),
    reason: chosen.reason,
    error,
  });
}

type Checked = { ok: true; view: ModalView } | { ok: false; errors: Errors; chosen: Chosen };

/** Checks the manage step's change; when it can be submitted, keeps the choice in the draft and renders its preview. */
async function checkAndPreview(
  deps: ListenerDeps,
  draft: Draft,
  userId: string,
  view: ViewRef,
): Promise<Checked> {
  const chosen = chosenOf(deps, userId, view.state);
  const refuse = (errors: Errors): Checked => ({ ok: false, errors, chosen });
  if (!deps.store.health().writable)
    return refuse({ [firstAssignBlock(view) ?? ids.blocks.reason]: CANNOT_SAVE_TEXT });
  const halfPick = halfPickErrors(chosen.replace);
  if (halfPick !== null) return refuse(halfPick);
  const checked = await deps.service.preview({ ...changeOf(draft, chosen), requestedBy: userId });
  if (!checked.ok) return refuse(problemErrors(view, checked.problems));
  if (checked.needsApproval && chosen.reason === null) {
    if (chosen.breakGlass) return refuse({ [ids.blocks.reason]: BREAK_GLASS_REASON_REQUIRED });
    return refuse(problemErrors(view, [{ kind: 'reason_required', basis: checked.basis }]));
  }
  const saved = await deps.store.updateDraft(draft.id, (current) => ({
    ...current,
    revokeSkuIds: chosen.revoke,
    replacePick: chosen.replace,
    previewed: chosen,
  }));
  return { ok: true, view: previewView(saved ?? draft, chosen, checked) };
}

/**
 * Submit of the manage step ("Next"): the preview, or the refusal inline. The answer is due within
 * Slack's 3 seconds: when the check takes longer, a loading view answers and the outcome replaces
 * it by views.update (the manage step with the error at the top when refused).
 */
export function previewLicenses(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const { view, client } = args;
    const { draft } = draftOf(args.context);
    const work = checkAndPreview(deps, draft, args.body.user.id, view);
    const ready = await withinBudget(work);
    const late = isLate(ready);
    if (!late) {
      if (ready.ok) return args.ack({ response_action: 'update', view: ready.view });
      return args.ack({ response_action: 'errors', errors: ready.errors });
    }
    await args.ack({
      response_action: 'update',
      view: renderLoading({
        callbackId: ids.views.preview,
        title: 'Check and confirm',
        text: 'Checking the change…',
      }),
    });
    const outcome = await work;
    const shown = outcome.ok
      ? outcome.view
      : await renderLicensesFor(deps, draft, {
          error: Object.values(outcome.errors).join(' '),
          chosen: outcome.chosen,
        });
    await client.views.update({ view_id: view.id, view: shown });
  };
}

/** "‹ Back" on the preview: the manage step again, with the ticks, reason and break-glass choice. */
export function previewBack(deps: ListenerDeps) {
  return stepClick(async ({ draft, view }, args) => {
    const chosen = draft.previewed ?? undefined;
    await refreshView(args.client, view, () => renderLicensesFor(deps, draft, chosen ? { chosen } : {}));
  });
}

const USERS = { callbackId: ids.views.previewUsers, title: 'Users' };

/** The users of one preview line, from the draft's previewed change planned against the tenant now. */
async function renderUsersFor(
  deps: ListenerDeps,
  draft: Draft,
  line: Pick<PreviewLine, 'op' | 'skuId'>,
  page: number,
): Promise<ModalView> {
  const gone = (text: string) => renderNotice({ ...USERS, text });
  if (draft.previewed === null)
    return gone('This preview is no longer open. Go back and check the change again.');
  const checked = await deps.service.preview({
    ...changeOf(draft, draft.previewed),
    requestedBy: draft.ownerId,
  });
  if (!checked.ok) return gone('This change can no longer be made as it is. Go back and check it again.');
  const found = checked.preview.lines.find((l) => l.op === line.op && l.skuId === line.skuId);
  const shown = found ?? { ...line, changes: [], noops: [], failures: [] };
  const userIds = [...shown.changes, ...shown.noops, ...shown.failures.map((failure) => failure.userId)];
  const users = await deps.service.getUsers(draftCustomerId(draft), userIds);
  const names = Object.fromEntries(checked.products.map((p) => [p.skuId, p.name]));
  const productName = productNameOf(names, line.skuId);
  const to = shown.to === undefined ? {} : { toName: productNameOf(names, shown.to) };
  return renderPreviewUsers({ draftId: draft.id, line: shown, productName, users, page, ...to });
}

/** The line a "Users" button names (`assign:SKU` / `revoke:SKU` / `replace:SKU`), or null. */
function lineOf(value: string | null | undefined): Pick<PreviewLine, 'op' | 'skuId'> | null {
  const match = /^(assign|revoke|replace):(.{1,200})$/.exec(value ?? '');
  return match === null ? null : { op: match[1] as PreviewLine['op'], skuId: match[2] as string };
}

/** "Users" on a preview line: pushes its users, paged. */
export function showPreviewUsers(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const { draft } = draftOf(args.context);
    const line = lineOf(actionOf(args.action)?.value);
    if (line === null) return;
    await pushFromClick(args, () => renderUsersFor(deps, draft, line, 0), {
      ...USERS,
      text: 'Loading users…',
    });
  };
}

/** Paging inside the pushed users view (its metadata names the line). */
export function previewUsersPage(deps: ListenerDeps) {
  return pagedView(({ draft, meta: { skuId, op } }, page) =>
    skuId === undefined || op === undefined ? null : () => renderUsersFor(deps, draft, { op, skuId }, page),
  );
}
