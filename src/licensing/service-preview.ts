/**
 * Checking a change before it is submitted: planned against the tenant as it is now, with the
 * approval basis (prepare), and what it will do per product and reason (preview, preview.ts).
 */
import type { LicenseProvider } from '../providers/license-provider.js';
import type { PlanResult } from './plan.js';
import type { ApprovalWindow } from './service-approval-window.js';
import { type PlannedChange, planChange, previewPlanned } from './service-plan.js';
import type { ChangeInput, PlanProblemsResult, PrepareResult, PreviewResult } from './service-types.js';

type CheckInput = ChangeInput & { requestedBy?: string };
type Prepared = Extract<PrepareResult, { ok: true }>;
type Checked =
  | { ok: true; prepared: Prepared; planned: PlannedChange & { plan: Extract<PlanResult, { ok: true }> } }
  | PlanProblemsResult;

async function checkChange(
  provider: LicenseProvider,
  window: ApprovalWindow,
  input: CheckInput,
): Promise<Checked> {
  const planned = await planChange(provider, input);
  const { plan } = planned;
  if (!plan.ok) return plan;
  const { assignments, revocations, noops, planRemovals, planChanges } = plan;
  const basis = await window.basis(input.requestedBy, input.customerId, { revocations, planRemovals });
  const needsApproval = basis.needsApproval;
  const prepared = { ok: true as const, assignments, planChanges, revocations, noops, needsApproval, basis };
  return { ok: true, prepared, planned: { ...planned, plan } };
}

export async function prepareChange(
  provider: LicenseProvider,
  window: ApprovalWindow,
  input: CheckInput,
): Promise<PrepareResult> {
  const checked = await checkChange(provider, window, input);
  return checked.ok ? checked.prepared : checked;
}

export async function previewChangeOf(
  provider: LicenseProvider,
  window: ApprovalWindow,
  input: CheckInput,
): Promise<PreviewResult> {
  const checked = await checkChange(provider, window, input);
  if (!checked.ok) return checked;
  const preview = await previewPlanned(provider, input.customerId, checked.planned, input.replace);
  return { ...checked.prepared, preview, products: checked.planned.products };
}
