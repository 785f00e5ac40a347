/** A request's product by name, for people. */
import type { ChangeRequest } from '../src/licensing/model.js';
import { escapeMrkdwn, oneLine, truncate } from './limits.js';

/** The name the request stored for a product; undefined for a product it does not name. */
export function productName(request: Pick<ChangeRequest, 'products'>, skuId: string): string | undefined {
  return request.products.find((p) => p.skuId === skuId)?.name;
}

/** Product name of a request's sku ("another product" when unknown), escaped for mrkdwn. */
export function productLabel(request: Pick<ChangeRequest, 'products'>, skuId: string): string {
  // Never the SKU id: an unnamed product is still a product to a person.
  const name = productName(request, skuId) ?? 'another product';
  return escapeMrkdwn(truncate(oneLine(name), 150));
}
