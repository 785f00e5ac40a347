/**
 * What an undo of a finished request sends: each part the request applied (a `success`) put back
 * as the user's license of that product was before the run (the state the executor recorded,
 * PriorState), as each user's own parts, which the follow-up framework plans against the tenant
 * now and submits like any change. Pure.
 *
 * - A new license → revoked. A plan change → assigned again with the plans the user had off. A
 *   revoke → assigned again with the plans the user had off.
 * - Each user's parts carry the license the request left (`asLeft`): planning and the run leave a
 *   part alone, as a no-op marked changed since, when the user holds the product otherwise by
 *   then (isAsLeft), so a later change is never clobbered.
 * - A part with no recorded state before the run (a request run before it was recorded) cannot be
 *   undone: nobody knows what to put back.
 */
import type { AssignChoice, ChangeItem, ChangeRequest, Operation, PriorState, UserLicense } from './model.js';
import { samePlans } from './plan.js';
import { resultKey } from './result-key.js';

export type AsLeft = NonNullable<ChangeItem['asLeft']>;

/** One user's undo: the products to assign back (with the plans they had off), those to revoke, and how the request left them. */
export interface UndoUserParts {
  userId: string;
  assign: AssignChoice[];
  revoke: string[];
  asLeft: AsLeft;
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
  /** Applied parts whose state before the run was not recorded. */
  unrecorded: PartRef[];
}

type Item = ChangeRequest['items'][number];

/** The undo of `request` given the state recorded before its run (`prior`). */
export function undoParts(
  request: Pick<ChangeRequest, 'items' | 'results'>,
  prior: readonly PriorState[],
): UndoDerivation {
  const priorByUser = new Map(prior.map((state) => [state.userId, state.licenses]));
  const derivation: UndoDerivation = { parts: [], unrecorded: [] };
  for (const item of request.items) {
    const user: UndoUserParts = { userId: item.userId, assign: [], revoke: [], asLeft: {} };
    for (const part of appliedParts(item, request.results)) {
      const before = priorByUser.get(item.userId);
      if (before === undefined) derivation.unrecorded.push(part.ref);
      else
        putBack(
          user,
          part,
          before.find((license) => license.skuId === part.ref.skuId),
        );
    }
    if (user.assign.length + user.revoke.length > 0) derivation.parts.push(user);
  }
  return derivation;
}

/**
 * True when the user holds the product as the undone request left it (`left`: its plans off when
 * held directly, null when not held directly): an undo's part goes ahead only then.
 */
export function isAsLeft(left: AsLeft[string], now: UserLicense | undefined): boolean {
  if (left === null) return now?.direct !== true;
  return now?.direct === true && samePlans(now.disabledPlans, left.disabledPlans);
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

/**
 * Adds to `user` what puts the part's product back as it was (`before`): held directly with its
 * plans off, or not held directly (revoked). Nothing when the run left it so already.
 */
function putBack(user: UndoUserParts, part: AppliedPart, before: UserLicense | undefined): void {
  const { skuId, op } = part.ref;
  const left = op === 'assign' ? { disabledPlans: [...part.disabledPlans] } : null;
  if (before?.direct !== true) {
    if (op === 'revoke') return;
    user.revoke.push(skuId);
  } else if (op === 'assign' && samePlans(before.disabledPlans, part.disabledPlans)) return;
  else user.assign.push({ skuId, disabledPlans: [...before.disabledPlans] });
  user.asLeft[skuId] = left;
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
