/** A request's product by name, for people. */
import type { ChangeRequest } from '../src/licensing/model.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';

/** Product name of a request's sku (the sku id when unknown), escaped for mrkdwn. */
export function productLabel(request: Pick<ChangeRequest, 'products'>, skuId: string): string {
  // Never the SKU id: an unnamed product is still a product to a person.
  const name = request.products.find((p) => p.skuId === skuId)?.name ?? 'another product';
  return escapeMrkdwn(truncate(oneLine(name), 150));
}
