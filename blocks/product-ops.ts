/**
 * A request's parts by product and operation, as the summary, the approval message, the thread and
 * App Home list them: one line per product × operation, assignments first, then the request's
 * product order. Pure.
 */
import type { ChangeRequest, Operation } from '../src/licensing/model.js';

/** One product and what is done with it: a line of the surfaces. */
export interface ProductOp {
  op: Operation;
  skuId: string;
}

/** The place of a product in the request's product order; a product the request does not name comes last. */
export function productOrder(request: Pick<ChangeRequest, 'products'>): (skuId: string) => number {
  const order = new Map(request.products.map((p, i) => [p.skuId, i]));
  return (skuId) => order.get(skuId) ?? Number.MAX_SAFE_INTEGER;
}

/** Orders lines: assignments first, then the request's product order (products it does not name by id). */
export function compareProductOps(
  request: Pick<ChangeRequest, 'products'>,
): (a: ProductOp, b: ProductOp) => number {
  const rank = productOrder(request);
  return (a, b) => {
    if (a.op !== b.op) return a.op === 'assign' ? -1 : 1;
    return rank(a.skuId) - rank(b.skuId) || (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0);
  };
}

/** `parts` grouped by product × operation (each group in the parts' order), the groups in line order. */
export function groupByProductOp<T extends ProductOp>(
  request: Pick<ChangeRequest, 'products'>,
  parts: Iterable<T>,
): (ProductOp & { parts: T[] })[] {
  const groups = new Map<string, ProductOp & { parts: T[] }>();
  for (const part of parts) {
    const key = `${part.op}|${part.skuId}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { op: part.op, skuId: part.skuId, parts: [part] });
    else group.parts.push(part);
  }
  return [...groups.values()].sort(compareProductOps(request));
}
