/**
 * SKELETON (being written): planChanges turns a selection and the operator's choices into
 * per-user operations. Problems known up front are values, not exceptions.
 */
export type PlanProblem =
  | { kind: 'no_users' }
  | { kind: 'empty' }
  | { kind: 'both_ways'; skuId: string }
  | { kind: 'unknown_product'; skuId: string }
  | { kind: 'not_enough'; skuId: string; needed: number; available: number };
