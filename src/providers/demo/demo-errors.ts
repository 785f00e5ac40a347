/**
 * What the demo tenant answers when it refuses a call, worded as Graph words it (reference §1.6)
 * so that callers meet the same reasons and messages as against the real tenant.
 */
import { LicenseProviderError } from '../license-provider.js';

/** What Graph's assignLicense answers when it refuses a change (the demo change check words its refusals so). */
export const graphMessages = {
  notCompanyLicense: (skuId: string) => `License ${skuId} does not correspond to a valid company License.`,
  notUserLicense: (skuId: string) => `License ${skuId} cannot be assigned to a user.`,
  invalidUsageLocation: 'License assignment cannot be done for user with invalid usage location.',
  prohibitedUsageLocation: (planId: string, country: string) =>
    `License assignment failed because service plan ${planId} is not available in usage location ${country}.`,
  noSeats: (skuId: string) => `Subscription with SKU ${skuId} does not have any available licenses.`,
  dependency: (planId: string, required: readonly string[]) =>
    `License assignment failed because service plan ${planId} depends on the service plan(s) ${required.join(', ')}.`,
  exclusive: (a: string, b: string) =>
    `License assignment failed because service plans ${a}, ${b} are mutually exclusive.`,
  inherited:
    'User license is inherited from a group membership and it cannot be removed directly from the user.',
  notHeld: 'User does not have a corresponding license.',
  addAndRemove: (skuId: string) => `License ${skuId} cannot be added and removed in the same request.`,
  unknownPlan: (planId: string, skuId: string) => `Service plan ${planId} is not part of license ${skuId}.`,
} as const;

export function unknownCustomer(customerId: string): LicenseProviderError {
  return new LicenseProviderError('provider_error', `Customer '${customerId}' does not exist.`);
}

export function userNotFound(userId: string): LicenseProviderError {
  return new LicenseProviderError(
    'user_not_found',
    `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function throttled(retryAfterMs: number): LicenseProviderError {
  return new LicenseProviderError('throttled', 'Please retry again later.', {
    transient: true,
    retryAfterMs,
  });
}

export function serverBusy(): LicenseProviderError {
  return new LicenseProviderError('provider_error', 'Service Unavailable: the server is busy, retry later.', {
    transient: true,
  });
}

export function timedOut(): LicenseProviderError {
  return new LicenseProviderError('provider_error', 'The request timed out.', { transient: true });
}

/** Transient: another process (the next start) may take the change later. */
export function stopping(): LicenseProviderError {
  return new LicenseProviderError('provider_error', 'The demo tenant is shutting down; try again later.', {
    transient: true,
  });
}

/** The journal refused a change, which was undone: transient, so the caller retries later. */
export function notSaved(cause: unknown): LicenseProviderError {
  return new LicenseProviderError(
    'provider_error',
    'The demo tenant could not save the change; nothing was changed.',
    { transient: true, cause },
  );
}
