import type { Operation } from './model.js';

/** The key of one part of a request (a user, a product, assign or revoke) in `ChangeRequest.results`. */
export function resultKey(userId: string, skuId: string, op: Operation): string {
  return `${userId}|${skuId}|${op}`;
}
