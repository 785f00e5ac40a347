/** For the provider tests: the LicenseProviderError a call is refused with. */
import { isLicenseProviderError, type LicenseProviderError } from '../../src/providers/license-provider.js';

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
