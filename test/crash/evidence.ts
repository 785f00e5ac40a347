/**
 * Reading what a dead child left in DATA_DIR, through the same ports the bot uses (the store's
 * LowdbStore, the demo tenant's openDemoTenant), so the tests follow the store and tenant layouts
 * as they change; and judging each recorded result against the tenant.
 */

import { readFile } from 'node:fs/promises';
import type {
  ChangeRequest,
  ItemResult,
  Operation,
  PriorState,
  UserLicense,
} from '../../src/licensing/model.js';
import { samePlans } from '../../src/licensing/plan.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { neverHeldKeys } from '../../src/licensing/run-counts.js';
import { countDemoChanges } from '../../src/providers/demo/demo-change-count.js';
import { readDemoTenant } from '../../src/providers/demo/demo-file.js';
import type { DemoCustomerData, DemoTenantData } from '../../src/providers/demo/demo-tenant.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { Approval, AuditEntry } from '../../src/store/store.js';
import type { AppliedPart } from '../support/demo-apply-observer.js';

const MANY = 100_000;

export interface StoreContents {
  requests: Map<string, ChangeRequest>;
  approvals: Map<string, Approval>;
  /** The state each request's run recorded before changing its users. */
  priorStates: Map<string, PriorState[]>;
  /** The audit log, newest first. */
  audit: AuditEntry[];
}

/** Everything the store holds, read with the child dead. */
export async function readStore(dataDir: string): Promise<StoreContents> {
  const store = new LowdbStore({ dataDir });
  await store.open();
  try {
    const requests = await store.listRequests({ limit: MANY });
    const approvals = await store.listApprovals({ limit: MANY });
    const priorStates = new Map<string, PriorState[]>();
    for (const request of requests) priorStates.set(request.id, await store.getPriorState(request.id));
    return {
      requests: new Map(requests.map((request) => [request.id, request])),
      approvals: new Map(approvals.map((approval) => [approval.requestId, approval])),
      priorStates,
      audit: await store.listAudit({ limit: MANY }),
    };
  } finally {
    await store.close();
  }
}

/** The demo tenant as the bot would load it at its next start (snapshot + change log), read with the child dead. */
export function readTenant(dataDir: string): Promise<DemoTenantData> {
  return readDemoTenant(dataDir);
}

export function customerNamed(tenant: DemoTenantData, name: string): DemoCustomerData {
  const found = tenant.customers.find((c) => c.customer.name === name);
  if (!found) throw new Error(`no customer ${name} in the demo tenant`);
  return found;
}

export function customerById(tenant: DemoTenantData, id: string): DemoCustomerData {
  const found = tenant.customers.find((c) => c.customer.id === id);
  if (!found) throw new Error(`no customer ${id} in the demo tenant`);
  return found;
}

export interface Holding {
  /** Held in any way (directly or through a group). */
  any: boolean;
  direct: boolean;
}

export function holding(customer: DemoCustomerData, userId: string, skuId: string): Holding {
  const license = (customer.holdings[userId] ?? []).find((l) => l.skuId === skuId);
  return { any: license !== undefined, direct: license?.direct === true };
}

/** Every planned part of a request: `${userId}|${skuId}|${op}`. */
export function plannedParts(
  request: ChangeRequest,
): Map<string, { userId: string; skuId: string; op: Operation }> {
  const parts = new Map<string, { userId: string; skuId: string; op: Operation }>();
  const add = (userId: string, skuId: string, op: Operation) =>
    parts.set(resultKey(userId, skuId, op), { userId, skuId, op });
  for (const item of request.items) {
    for (const a of item.change.assign) add(item.userId, a.skuId, 'assign');
    for (const skuId of item.change.revoke) add(item.userId, skuId, 'revoke');
    for (const noop of item.noops) add(item.userId, noop.skuId, noop.op);
  }
  return parts;
}

/**
 * Why a recorded result contradicts the tenant, or null when it agrees. `before` is the user's
 * holding before the request ran, `after` the tenant file's now.
 * - assign success: the user must hold it directly now;
 * - assign failed: the run must not have given it (directly now, not before);
 * - assign noop ("already has it"): held now, and not made direct by this run;
 * - revoke success: no direct assignment left;
 * - revoke failed: the run must not have removed it (direct before, not now);
 * - revoke noop ("does not have it"): not held directly before nor now.
 */
export function contradiction(result: ItemResult, before: Holding, after: Holding): string | null {
  const made = after.direct && !before.direct;
  const removed = before.direct && !after.direct;
  if (result.op === 'assign') {
    if (result.outcome === 'success' && !after.direct)
      return 'reported assigned, the tenant does not hold it';
    if (result.outcome === 'failed' && made) return `reported failed (${result.reason}), the tenant holds it`;
    if (result.outcome === 'noop' && !after.any)
      return 'reported "already has it", the tenant does not hold it';
    if (result.outcome === 'noop' && made) return 'reported "already has it", but this run assigned it';
    return null;
  }
  if (result.outcome === 'success' && after.direct) return 'reported revoked, the tenant still holds it';
  if (result.outcome === 'failed' && removed) return `reported failed (${result.reason}), the tenant lost it`;
  if (result.outcome === 'noop' && (before.direct || after.direct)) {
    return 'reported "does not have it", the user held it directly';
  }
  return null;
}

export interface ResultAudit {
  planned: number;
  /** Planned parts without a result. */
  lost: string[];
  /** Results the tenant contradicts, with why. */
  misreported: string[];
  counts: { success: number; noop: number; failed: number };
}

/** Judges a request's recorded results against the tenant before and after. */
export function auditResults(
  request: ChangeRequest,
  before: DemoCustomerData,
  after: DemoCustomerData,
): ResultAudit {
  const audit: ResultAudit = {
    planned: 0,
    lost: [],
    misreported: [],
    counts: { success: 0, noop: 0, failed: 0 },
  };
  const neverHeld = neverHeldKeys(request);
  for (const [key, part] of plannedParts(request)) {
    audit.planned += 1;
    const result = request.results[key];
    if (result === undefined) {
      audit.lost.push(key);
      continue;
    }
    // Counted as the summary counts: a revoke of a product the user never had is no change.
    if (!neverHeld.has(key)) audit.counts[result.outcome] += 1;
    const why = contradiction(
      result,
      holding(before, part.userId, part.skuId),
      holding(after, part.userId, part.skuId),
    );
    if (why !== null) audit.misreported.push(`${key}: ${why}`);
  }
  return audit;
}

/**
 * Parts the run applied (success) whose user has no recorded state before the run, or whose
 * recorded license of the part's product is not what the tenant held before the request ran
 * (`before`): what an undo could not restore exactly.
 */
export function priorStateGaps(
  request: ChangeRequest,
  recorded: readonly PriorState[],
  before: DemoCustomerData,
): string[] {
  const byUser = new Map(recorded.map((state) => [state.userId, state.licenses]));
  const gaps: string[] = [];
  for (const result of Object.values(request.results)) {
    if (result.outcome !== 'success') continue;
    const key = resultKey(result.userId, result.skuId, result.op);
    const licenses = byUser.get(result.userId);
    if (licenses === undefined) {
      gaps.push(`${key}: applied with no state recorded before it`);
      continue;
    }
    const held = (list: readonly UserLicense[]) => list.find((l) => l.skuId === result.skuId);
    if (!sameLicense(held(licenses), held(before.holdings[result.userId] ?? []))) {
      gaps.push(`${key}: the state recorded before it is not the tenant's before the run`);
    }
  }
  return gaps;
}

function sameLicense(a: UserLicense | undefined, b: UserLicense | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.direct === b.direct && samePlans(a.disabledPlans, b.disabledPlans);
}

const partKey = (part: { customerId: string; userId: string; skuId: string; op: Operation }) =>
  `${part.customerId}|${part.userId}|${part.skuId}|${part.op}`;

/** Parts the demo tenant's change log holds more than once: `${customerId}|${userId}|${skuId}|${op}` → times. */
export async function loggedMoreThanOnce(dataDir: string): Promise<Map<string, number>> {
  const parts = await countDemoChanges(dataDir);
  return new Map(parts.filter((part) => part.count > 1).map((part) => [partKey(part), part.count]));
}

/**
 * Parts the observer in the child (test/support/demo-apply-observer.ts) saw applied more than
 * once, whatever the change log says: the first application was lost with the process.
 */
export async function observedMoreThanOnce(logFile: string): Promise<Map<string, number>> {
  const text = await readFile(logFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const times = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const key = partKey(JSON.parse(line) as AppliedPart);
    times.set(key, (times.get(key) ?? 0) + 1);
  }
  return new Map([...times].filter(([, n]) => n > 1));
}

/** "12: reported assigned, the tenant does not hold it; 3: …": how many lines of each kind (the text after the last ": "). */
export function tally(lines: readonly string[]): string {
  const kinds = new Map<string, number>();
  for (const line of lines) {
    const kind = line.slice(line.lastIndexOf(': ') + 2).replace(/\d+/g, 'N');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n}: ${kind}`)
    .join('; ');
}

/** Lines for a failure message: the first `max` of `items`, and how many more. */
export function listed(items: readonly string[], max = 10): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, max).map((item) => `  - ${item}`);
  return [...shown, ...(items.length > max ? [`  …and ${items.length - max} more`] : [])].join('\n');
}
