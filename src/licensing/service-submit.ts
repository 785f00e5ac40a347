/**
 * Submitting a change: plan it against the tenant as it is, decide whether it needs approval,
 * and save the request (with its pending approval) before anyone is told it was sent.
 */
import type { LicenseProvider } from '../providers/license-provider.js';
import type { Approval, Store } from '../store/store.js';
import { breakGlassRow } from './break-glass-row.js';
import { newId } from './ids.js';
import type { ChangeRequest, Customer, Product } from './model.js';
import type { PlanResult } from './plan.js';
import { type ApprovalBasis, approvalExpiresAt } from './policy.js';
import type { ApprovalWindow } from './service-approval-window.js';
import { chosenSkus, planChange } from './service-plan.js';
import type {
  ChangeInput,
  PartsInput,
  PartsSubmitInput,
  SubmitDetails,
  SubmitInput,
  SubmitResult,
} from './service-types.js';

export interface SubmissionsOptions {
  provider: LicenseProvider;
  store: Store;
  window: ApprovalWindow;
  ttlHours: number;
  now: () => Date;
  /** Requests made runnable here whose run has not begun (see LicensingService). */
  startingHere: Set<string>;
}

type Plan = Extract<PlanResult, { ok: true }>;

/** Either shape of a submitted change: users × products, or each user's own parts. */
type AnySubmitInput = (ChangeInput | PartsInput) & SubmitDetails;

export class Submissions {
  constructor(private readonly options: SubmissionsOptions) {}

  submit(input: SubmitInput): Promise<SubmitResult> {
    return this.#exclusive(input);
  }

  /** Submits a change of per-user parts (a follow-up), by the same rules as any submission. */
  submitParts(input: PartsSubmitInput): Promise<SubmitResult> {
    return this.#exclusive(input);
  }

  #exclusive(input: AnySubmitInput): Promise<SubmitResult> {
    // Two submissions racing must not both slip under the threshold: the window is counted and
    // the request saved as one step per operator and customer, on every replica sharing the store.
    return this.options.store.exclusive(`submit|${input.requestedBy}|${input.customerId}`, () =>
      this.#submit(input),
    );
  }

  async #submit(input: AnySubmitInput): Promise<SubmitResult> {
    const { provider, window, now } = this.options;
    const { customer, plan, products } = await planChange(provider, input);
    if (!plan.ok) return plan;
    if (!customer)
      return { ok: false, problems: [{ kind: 'unknown_customer', customerId: input.customerId }] };
    const basis = await window.basis(input.requestedBy, customer.id, plan);
    const reason = input.reason?.trim() ?? '';
    if (basis.needsApproval && reason === '')
      return { ok: false, problems: [{ kind: 'reason_required', basis }] };
    const at = now();
    // Break-glass: it needs approval and runs at once, saved as approved like a request that needs none.
    const breakGlass = basis.needsApproval && input.breakGlass === true;
    const waits = basis.needsApproval && !breakGlass;
    const request = newRequest({ input, customer, plan, products, basis, reason, at, waits });
    await this.#saveRequest(request);
    const approval = waits ? await this.#saveApproval(request, reason, at) : null;
    if (breakGlass) await this.options.store.appendAudit(breakGlassRow(request));
    await this.options.store.appendAudit({
      actor: input.requestedBy,
      action: 'submitted',
      requestId: request.id,
      outcome: request.status,
      details: {
        customerId: customer.id,
        users: plan.items.length,
        assignments: plan.assignments,
        revocations: plan.revocations,
        planRemovals: plan.planRemovals,
        earlierRevocations: basis.earlierRevocations,
        noops: plan.noops,
        ...(input.followUpOf === undefined
          ? {}
          : { followUpOf: input.followUpOf.requestId, followUpKind: input.followUpOf.kind }),
      },
    });
    return { ok: true, request, needsApproval: waits, approval, ...(breakGlass ? { breakGlass } : {}) };
  }

  /** A request that runs at once is marked as starting here before it is saved, so resume leaves it alone. */
  async #saveRequest(request: ChangeRequest): Promise<void> {
    const { store, startingHere } = this.options;
    if (!request.approvalRequired) startingHere.add(request.id);
    try {
      await store.saveRequest(request);
    } catch (error) {
      startingHere.delete(request.id);
      throw error;
    }
  }

  async #saveApproval(request: ChangeRequest, reason: string, at: Date): Promise<Approval> {
    const { store, ttlHours } = this.options;
    const approval: Approval = {
      requestId: request.id,
      status: 'pending',
      requestedBy: request.requestedBy,
      reason,
      createdAt: request.createdAt,
      expiresAt: approvalExpiresAt(at, ttlHours).toISOString(),
    };
    try {
      await store.saveApproval(approval);
    } catch (error) {
      // Without its approval the request could never be decided: close it (best effort; a
      // store that cannot write leaves it pending and no one is told it was sent).
      await store.transitionRequest(request.id, ['pending_approval'], 'expired').catch(() => {});
      throw error;
    }
    return approval;
  }
}

interface NewRequest {
  input: AnySubmitInput;
  customer: Customer;
  plan: Plan;
  products: readonly Product[];
  basis: ApprovalBasis;
  reason: string;
  at: Date;
  /** It waits for an approver (it needs approval and is not run by break-glass). */
  waits: boolean;
}

function newRequest({
  input,
  customer,
  plan,
  products,
  basis,
  reason,
  at,
  waits,
}: NewRequest): ChangeRequest {
  const chosen = chosenSkus(input);
  const replace = 'replace' in input ? (input.replace ?? []) : [];
  const replacements = replace.map(({ from, to }) => ({ from, to: to.skuId }));
  return {
    id: newId('req'),
    customerId: customer.id,
    customerName: customer.name,
    tenantId: customer.tenantId,
    requestedBy: input.requestedBy,
    createdAt: at.toISOString(),
    status: waits ? 'pending_approval' : 'approved',
    ...(reason === '' ? {} : { reason }),
    products: products
      .filter((product) => chosen.has(product.skuId))
      .map((product) => ({ skuId: product.skuId, name: product.name })),
    ...(replacements.length > 0 ? { replacements } : {}),
    items: plan.items,
    results: {},
    ...(input.report ? { report: input.report } : {}),
    ...(input.draftId === undefined ? {} : { draftId: input.draftId }),
    ...(input.followUpOf === undefined ? {} : { followUpOf: input.followUpOf }),
    revocations: basis.own,
    approvalRequired: waits,
    approvalBasis: basis,
  };
}
