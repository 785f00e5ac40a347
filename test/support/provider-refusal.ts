/** For the provider tests: the LicenseProviderError a call is refused with. */
import {
  isLicenseProviderError,
  type LicenseProvider,
  type LicenseProviderError,
} from '../../src/providers/license-provider.js';

/** Awaits `promise` and returns its LicenseProviderError; any other outcome fails the test. */
export async function refusal(promise: Promise<unknown>): Promise<LicenseProviderError> {
  try {
    await promise;
  } catch (error) {
    if (isLicenseProviderError(error)) return error;
    throw error;
  }
  throw new Error('expected a LicenseProviderError');
}

/**
 * The refusal of a change to one user: `assign` SKUs with no plan turned off, `revoke` SKUs; any
 * other outcome fails the test.
 */
export function refusedChange(
  provider: Pick<LicenseProvider, 'applyUserChange'>,
  customerId: string,
  userId: string,
  change: { assign?: readonly string[]; revoke?: readonly string[] },
): Promise<LicenseProviderError> {
  return refusal(
    provider.applyUserChange(customerId, userId, {
      assign: (change.assign ?? []).map((skuId) => ({ skuId, disabledPlans: [] })),
      revoke: [...(change.revoke ?? [])],
    }),
  );
}
