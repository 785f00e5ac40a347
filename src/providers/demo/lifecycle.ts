/** When the demo tenant's product in warning expires (Product.nextLifecycleDate). */

/** Days a product in warning (expired, in its grace period) has before it is suspended. */
export const DEMO_GRACE_DAYS = 30;

/**
 * When the demo's product in warning expires: `DEMO_GRACE_DAYS` after the tenant's creation
 * (default: today), at midnight UTC, so the same seed gives the same data all day.
 */
export function expiryDate(createdAt: Date = new Date()): string {
  const day = Date.UTC(createdAt.getUTCFullYear(), createdAt.getUTCMonth(), createdAt.getUTCDate());
  return new Date(day + DEMO_GRACE_DAYS * 86_400_000).toISOString();
}
