/**
 * Counts the parts a LicenseProvider reports applied (applyUserChange resolved), per user,
 * product and operation, in process: the e2e tests' check that a part is never written twice.
 * The provider's answers go back unchanged.
 */
import type { LicenseProvider } from '../../src/providers/license-provider.js';

export interface AppliedParts {
  provider: LicenseProvider;
  /** `${userId}|${skuId}|${op}` → how many calls applied it. */
  counts: Map<string, number>;
}

export function countAppliedParts(inner: LicenseProvider): AppliedParts {
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const provider = new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== 'applyUserChange') {
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      const apply: LicenseProvider['applyUserChange'] = async (customerId, userId, change) => {
        const answer = await target.applyUserChange(customerId, userId, change);
        for (const a of change.assign) count(`${userId}|${a.skuId}|assign`);
        for (const skuId of change.revoke) count(`${userId}|${skuId}|revoke`);
        return answer;
      };
      return apply;
    },
  });
  return { provider, counts };
}
