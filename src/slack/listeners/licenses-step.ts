/**
 * The manage-licenses step: each product over the selection, who has it and its service plans
 * (pushed views), and the products to assign and to revoke.
 */
import type { ModalView } from '@slack/types';
import { ids, patterns } from '../../../blocks/ids.js';
import { renderLicensesStep } from '../../../blocks/licenses-step.js';
import { renderLoading } from '../../../blocks/loading.js';
import { renderProductHolders } from '../../../blocks/product-holders.js';
import { renderServicePlans } from '../../../blocks/service-plans.js';
import type { ProductOverview } from '../../licensing/licensing-service.js';
import type { ApprovalBasis } from '../../licensing/policy.js';
import type { Draft } from '../../store/store.js';
import { draftCustomerId, draftOf } from '../access.js';
import { actionOf, StateValues, skuOf, type ViewRef } from '../payloads.js';
import type { ListenerDeps } from './deps.js';
import { type ReplacePick, replaceChoices, replacePicked } from './replace-choice.js';
import type { ActionArgs, SubmitArgs } from './step-args.js';
import { pagedView, pushFromClick, refreshView, stepClick, submittedStep } from './step-args.js';

export function overviewFor(deps: ListenerDeps, draft: Draft): Promise<ProductOverview[]> {
  return deps.service.getLicenseOverview(
    draftCustomerId(draft),
    draft.selectedUserIds,
    draft.disabledPlansBySku,
  );
}

/** The products ticked to assign and to revoke in a manage-licenses view's state. */
export function tickedProducts(state: unknown): { assign: string[]; revoke: string[] } {
  const values = new StateValues(state);
  return { assign: values.selectedMany(patterns.assign), revoke: values.selectedMany(patterns.revoke) };
}

/** The products ticked in the manage step (assign ticks are known only where the view's state is). */
interface Ticks {
  assign?: readonly string[];
  revoke: readonly string[];
  /** The "Replace A with B" products chosen; absent = none. */
  replace?: ReplacePick;
}

/**
 * What the service's approval policy says of the ticks (plan removals and the operator's earlier
 * requests included), so the notice agrees with what submit decides; null when nothing would be
 * taken away. Ticks refused for their assignments still get the notice their revocations call for.
 */
async function approvalOf(deps: ListenerDeps, draft: Draft, ticks: Ticks): Promise<ApprovalBasis | null> {
  const replace = replaceChoices(ticks.replace ?? {}, draft.disabledPlansBySku);
  const prepare = (assign: readonly string[], withReplace: boolean) =>
    deps.service.prepare({
      customerId: draftCustomerId(draft),
      userIds: draft.selectedUserIds,
      assign: assign.map((skuId) => {
        const off = disabledPlansOf(draft, skuId);
        return { skuId, disabledPlans: off === null ? null : [...off] };
      }),
      revoke: ticks.revoke,
      ...(withReplace ? { replace } : {}),
      requestedBy: draft.ownerId,
    });
  const assign = ticks.assign ?? [];
  const prepared = await prepare(assign, true);
  if (prepared.ok) return prepared.basis;
  if (assign.length === 0 && replace.length === 0) return null;
  const withoutAssign = replace.length > 0 ? await prepare([], true) : null;
  if (withoutAssign?.ok) return withoutAssign.basis;
  // A replacement that cannot be planned (it names a ticked product) counts as none.
  const revocationsOnly = await prepare([], false);
  return revocationsOnly.ok ? revocationsOnly.basis : null;
}

/**
 * Renders the manage step from the draft. The ticks last seen (`revoke`, and `assign` where known)
 * decide whether the approval notice shows, or `approval` when the caller already asked.
 */
export async function renderLicensesFor(
  deps: ListenerDeps,
  draft: Draft,
  options: {
    revoke?: readonly string[];
    assign?: readonly string[];
    replace?: ReplacePick;
    approval?: ApprovalBasis | null;
    error?: string | null;
    /** The choice the preview kept (Back, or a refused confirm): ticked again, with its reason. */
    chosen?: NonNullable<Draft['previewed']>;
  } = {},
): Promise<ModalView> {
  const { chosen } = options;
  const revoke = options.revoke ?? chosen?.revoke;
  const assign = options.assign ?? chosen?.assign;
  const replace = options.replace ?? chosen?.replace;
  const [products, approval] = await Promise.all([
    overviewFor(deps, draft),
    options.approval !== undefined || revoke === undefined
      ? (options.approval ?? null)
      : approvalOf(deps, draft, { revoke, ...(assign ? { assign } : {}), ...(replace ? { replace } : {}) }),
  ]);
  return renderLicensesStep({
    draftId: draft.id,
    customerName: draft.customerName ?? '',
    selectedCount: draft.selectedUserIds.length,
    products,
    purchaseUrl: deps.config.PURCHASE_URL ?? null,
    disabledPlansBySku: draft.disabledPlansBySku,
    approvalThreshold: approval?.threshold ?? deps.config.APPROVAL_REVOKE_THRESHOLD,
    plannedRevocations: approval?.own ?? null,
    ...(approval === null
      ? {}
      : {
          planRemovals: approval.planRemovals,
          earlier: {
            requests: approval.earlierRequests,
            revocations: approval.earlierRevocations,
            windowHours: approval.windowHours,
          },
        }),
    error: options.error ?? null,
    breakGlass: deps.config.BREAK_GLASS_USER_IDS.includes(draft.ownerId),
    ...(chosen ? { chosen } : {}),
  });
}

function showsApprovalWarning(view: ViewRef): boolean {
  return view.blocks.some((block) => block.block_id === ids.blocks.approvalWarning);
}

/**
 * A revoke tick or a "Replace" choice: when the request now crosses the approval threshold (or no
 * longer does), the view is re-rendered to ask for a reason; otherwise nothing is sent.
 */
export function revokeTicked(deps: ListenerDeps) {
  return stepClick(async ({ draft, view }, args) => {
    const ticks = { ...tickedProducts(view.state), replace: replacePicked(view.state) };
    // Kept in the draft, not in memory: the service plans save may reach another replica.
    await deps.store.updateDraft(draft.id, (current) => ({
      ...current,
      revokeSkuIds: ticks.revoke,
      replacePick: ticks.replace,
    }));
    const approval = await approvalOf(deps, draft, ticks);
    if ((approval?.needsApproval ?? false) === showsApprovalWarning(view)) return;
    await refreshView(
      args.client,
      view,
      () => renderLicensesFor(deps, draft, { ...ticks, approval }),
      () => renderLicensesFor(deps, draft, ticks),
    );
  });
}

/** Acks a click that needs no answer: Slack sends block_actions for link buttons ("Buy more") too. */
export async function acknowledge({ ack }: ActionArgs): Promise<void> {
  await ack();
}

/** The customer's product `skuId` over the draft's selection; null when the customer has no such product. */
async function productOverview(
  deps: ListenerDeps,
  draft: Draft,
  skuId: string,
): Promise<ProductOverview | null> {
  return (await overviewFor(deps, draft)).find((entry) => entry.product.skuId === skuId) ?? null;
}

/** The operator's choice of plans to turn off for `skuId`; null when unchanged. */
function disabledPlansOf(draft: Draft, skuId: string): readonly string[] | null {
  return Object.hasOwn(draft.disabledPlansBySku, skuId) ? (draft.disabledPlansBySku[skuId] ?? null) : null;
}

const HOLDERS = { callbackId: ids.views.holders, title: 'Who has it' };
const PLANS = { callbackId: ids.views.plans, title: 'Service plans' };

/** Shown instead of a product's details when the button names a product the customer does not have. */
function productGone(view: { callbackId: string; title: string }): ModalView {
  return renderLoading({
    ...view,
    text: 'This product is no longer offered for this customer. Go back and run /licenses again.',
  });
}

async function renderHoldersFor(
  deps: ListenerDeps,
  draft: Draft,
  skuId: string,
  page: number,
): Promise<ModalView | null> {
  const overview = await productOverview(deps, draft, skuId);
  if (overview === null) return null;
  const holderIds = [...overview.holders, ...overview.inheritedHolders];
  const users = await deps.service.getUsers(draftCustomerId(draft), holderIds);
  return renderProductHolders({
    draftId: draft.id,
    overview,
    users,
    selectedCount: draft.selectedUserIds.length,
    page,
  });
}

async function holdersOrGone(
  deps: ListenerDeps,
  draft: Draft,
  skuId: string,
  page: number,
): Promise<ModalView> {
  return (await renderHoldersFor(deps, draft, skuId, page)) ?? productGone(HOLDERS);
}

/** A product button's click (value = skuId): pushes what `render` shows of that product. */
async function pushForProduct(
  args: ActionArgs,
  render: (draft: Draft, skuId: string) => Promise<ModalView>,
  loading: { callbackId: string; title: string; text: string },
): Promise<void> {
  await args.ack();
  const { draft } = draftOf(args.context);
  const skuId = skuOf(actionOf(args.action));
  if (skuId === null) return;
  await pushFromClick(args, () => render(draft, skuId), loading);
}

/** "Who has it": pushes the holders of one product among the selection. */
export function showHolders(deps: ListenerDeps) {
  return (args: ActionArgs) =>
    pushForProduct(args, (draft, skuId) => holdersOrGone(deps, draft, skuId, 0), {
      ...HOLDERS,
      text: 'Loading holders…',
    });
}

/** Paging inside the pushed holders view (its metadata names the product). */
export function holdersPage(deps: ListenerDeps) {
  return pagedView(({ draft, meta: { skuId } }, page) =>
    skuId === undefined ? null : () => holdersOrGone(deps, draft, skuId, page),
  );
}

async function renderPlansFor(deps: ListenerDeps, draft: Draft, skuId: string): Promise<ModalView> {
  const overview = await productOverview(deps, draft, skuId);
  if (overview === null) return productGone(PLANS);
  return renderServicePlans({
    draftId: draft.id,
    product: overview.product,
    disabledPlans: disabledPlansOf(draft, skuId),
  });
}

/** "Service plans": pushes the plans of one product with the operator's current choice. */
export function showPlans(deps: ListenerDeps) {
  return (args: ActionArgs) =>
    pushForProduct(args, (draft, skuId) => renderPlansFor(deps, draft, skuId), {
      ...PLANS,
      text: 'Loading service plans…',
    });
}

/** "Save" on the service plans: keep the choice in the draft, close, refresh the step below. */
export function savePlans(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const step = await submittedStep(args);
    if (step === null) return;
    const { draft, meta, view } = step;
    const skuId = meta.skuId;
    await args.ack();
    if (skuId === undefined) return;
    const off = new StateValues(view.state).selectedMany(patterns.planOff);
    const product = (await productOverview(deps, draft, skuId))?.product;
    if (product === undefined) return;
    const known = new Set(product.servicePlans.map((plan) => plan.id));
    const saved = await deps.store.updateDraft(draft.id, (current) => ({
      ...current,
      disabledPlansBySku: { ...current.disabledPlansBySku, [skuId]: off.filter((id) => known.has(id)) },
    }));
    const rootViewId = view.root_view_id ?? saved?.rootViewId ?? null;
    if (saved === null || rootViewId === null) return;
    await args.client.views.update({
      view_id: rootViewId,
      view: await renderLicensesFor(deps, saved, { revoke: saved.revokeSkuIds, replace: saved.replacePick }),
    });
  };
}
