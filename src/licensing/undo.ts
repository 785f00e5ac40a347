/**
 * What an undo of a finished request sends: each part the request applied (a `success`) put back
 * as the user's license of that product was before the run (the state the executor recorded,
 * PriorState), as each user's own parts, which the follow-up framework plans against the tenant
 * now and submits like any change. Pure.
 *
 * - A new license → revoked. A plan change → assigned again with the plans the user had off. A
 *   revoke → assigned again with the plans the user had off.
 * - A part whose product the user holds otherwise than the run left it (directly with the plans it
 *   set, or, after a revoke, not directly) was changed since: it is left as it is, never clobbered.
 * - A part with no recorded state before the run (a request run before it was recorded) cannot be
 *   undone: nobody knows what to put back.
 */
import type { AssignChoice, ChangeRequest, Operation, PriorState, UserLicense } from './model.js';
import { samePlans } from './plan.js';
import { resultKey } from './result-key.js';

/** One user's undo: the products to assign back (with the plans they had off) and those to revoke. */
export interface UndoUserParts {
  userId: string;
  assign: AssignChoice[];
  revoke: string[];
}

/** A part of the original request, named. */
export interface PartRef {
  userId: string;
  skuId: string;
  op: Operation;
}

export interface UndoDerivation {
  /** In the original request's order; users with nothing to undo are left out. */
  parts: UndoUserParts[];
  /** Applied parts left as they are: the user's license of the product changed since the run. */
  changedSince: PartRef[];
  /** Applied parts whose state before the run was not recorded. */
  unrecorded: PartRef[];
}

type Item = ChangeRequest['items'][number];

/**
 * The undo of `request` given the state recorded before its run (`prior`) and the users'
 * holdings now (`current`; a user missing there holds nothing).
 */
export function undoParts(
  request: Pick<ChangeRequest, 'items' | 'results'>,
  prior: readonly PriorState[],
  current: ReadonlyMap<string, readonly UserLicense[]>,
): UndoDerivation {
  const priorByUser = new Map(prior.map((state) => [state.userId, state.licenses]));
  const derivation: UndoDerivation = { parts: [], changedSince: [], unrecorded: [] };
  for (const item of request.items) {
    const user: UndoUserParts = { userId: item.userId, assign: [], revoke: [] };
    for (const part of appliedParts(item, request.results)) {
      const before = priorByUser.get(item.userId);
      if (before === undefined) {
        derivation.unrecorded.push(part.ref);
        continue;
      }
      const now = licenseOf(current.get(item.userId), part.ref.skuId);
      if (!asTheRunLeftIt(part, now)) {
        derivation.changedSince.push(part.ref);
        continue;
      }
      putBack(user, part, licenseOf(before, part.ref.skuId));
    }
    if (user.assign.length + user.revoke.length > 0) derivation.parts.push(user);
  }
  return derivation;
}

interface AppliedPart {
  ref: PartRef;
  /** The plans an assignment set (none for a revoke). */
  disabledPlans: readonly string[];
}

/** The item's parts whose result is a success, assignments first. */
function appliedParts(item: Item, results: ChangeRequest['results']): AppliedPart[] {
  const succeeded = (skuId: string, op: Operation) =>
    results[resultKey(item.userId, skuId, op)]?.outcome === 'success';
  return [
    ...item.change.assign
      .filter((part) => succeeded(part.skuId, 'assign'))
      .map((part) => ({
        ref: { userId: item.userId, skuId: part.skuId, op: 'assign' as const },
        disabledPlans: part.disabledPlans,
      })),
    ...item.change.revoke
      .filter((skuId) => succeeded(skuId, 'revoke'))
      .map((skuId) => ({ ref: { userId: item.userId, skuId, op: 'revoke' as const }, disabledPlans: [] })),
  ];
}

/** An assignment left the product held directly with its plans off; a revoke left it not held directly. */
function asTheRunLeftIt(part: AppliedPart, now: UserLicense | undefined): boolean {
  if (part.ref.op === 'revoke') return now?.direct !== true;
  return now?.direct === true && samePlans(now.disabledPlans, part.disabledPlans);
}

/**
 * Adds to `user` what puts the part's product back as it was (`before`): held directly with its
 * plans off, or not held directly (revoked). Nothing when the run left it so already.
 */
function putBack(user: UndoUserParts, part: AppliedPart, before: UserLicense | undefined): void {
  const { skuId, op } = part.ref;
  if (before?.direct !== true) {
    if (op === 'assign') user.revoke.push(skuId);
    return;
  }
  if (op === 'assign' && samePlans(before.disabledPlans, part.disabledPlans)) return;
  user.assign.push({ skuId, disabledPlans: [...before.disabledPlans] });
}

function licenseOf(licenses: readonly UserLicense[] | undefined, skuId: string): UserLicense | undefined {
  return licenses?.find((license) => license.skuId === skuId);
}

const DAY_MS = 86_400_000;

/**
 * Until when a finished request can be undone: `undoDays` after it finished; null when it never
 * finished (nothing ran, or it is still running).
 */
export function undoableUntil(
  request: Pick<ChangeRequest, 'status' | 'finishedAt'>,
  undoDays: number,
): Date | null {
  if (request.status !== 'completed' || request.finishedAt === undefined) return null;
  const finished = Date.parse(request.finishedAt);
  return Number.isNaN(finished) ? null : new Date(finished + undoDays * DAY_MS);
}

/** The users whose applied parts an undo of `request` would look at. */
export function usersToUndo(request: Pick<ChangeRequest, 'items' | 'results'>): string[] {
  return request.items
    .filter((item) => appliedParts(item, request.results).length > 0)
    .map((item) => item.userId);
}
