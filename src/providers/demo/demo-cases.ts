/**
 * Finds, in any generated customer, a user for each failure case, so tests can exercise them
 * by role rather than by id. Each case is the first user (in generation order) that fits.
 */
import type { TenantUser } from '../../licensing/model.js';
import { DEMO_SKUS } from './catalog.js';
import type { DemoCustomerData } from './demo-tenant.js';
import { CALLING_PLAN_COUNTRIES } from './rules.js';

export interface DemoCases {
  /** No usage location, no license: any assignment → usage_location_missing. */
  noUsageLocation: TenantUser;
  /** Holds Office 365 E3 + Teams Phone in a country without Calling Plans: MCOPSTN1 → usage_location_not_allowed. */
  outsideCallingPlanCountries: TenantUser;
  /** No license, has a usage location: MCOMEETADV or MCOEV → missing_prerequisite; E3 → success. */
  unlicensed: TenantUser;
  /** Holds Office 365 E1: assigning Office/Microsoft 365 E3 or E5 → mutually_exclusive. */
  e1Holder: TenantUser;
  /** Holds EMS only through a group: revoking EMS → inherited_from_group. */
  groupInherited: TenantUser;
  /** Holds EMS directly and through a group: revoking EMS succeeds, the group license stays. */
  directAndGroup: TenantUser;
  /** Holds Office 365 E3 + Audio Conferencing: revoking E3 alone → missing_prerequisite. */
  baseWithAddOn: TenantUser;
  /** Holds Office 365 E3 + Teams Phone + a Calling Plan in the US. */
  callingPlanHolder: TenantUser;
  /** Holds Power BI Pro, which has no seat left: assigning it to anyone else → insufficient_licenses. */
  powerBiHolder: TenantUser;
}

export function demoCases(data: DemoCustomerData): DemoCases {
  const holds = (user: TenantUser, sku: string, how: 'direct' | 'group' | 'both' | 'any' = 'any') =>
    (data.holdings[user.id] ?? []).some((license) => {
      if (license.skuId !== sku) return false;
      const group = license.viaGroups.length > 0;
      if (how === 'direct') return license.direct && !group;
      if (how === 'group') return !license.direct && group;
      if (how === 'both') return license.direct && group;
      return true;
    });
  const unlicensed = (user: TenantUser) => (data.holdings[user.id] ?? []).length === 0;
  const find = (what: string, fits: (user: TenantUser) => boolean): TenantUser => {
    const user = data.users.find(fits);
    if (user === undefined) throw new Error(`${data.customer.name} has no user who ${what}`);
    return user;
  };
  return {
    noUsageLocation: find('lacks a usage location', (u) => u.usageLocation === null && unlicensed(u)),
    outsideCallingPlanCountries: find(
      'has Teams Phone outside the Calling Plan countries',
      (u) =>
        u.usageLocation !== null &&
        !CALLING_PLAN_COUNTRIES.includes(u.usageLocation) &&
        holds(u, DEMO_SKUS.MCOEV),
    ),
    unlicensed: find('is unlicensed', (u) => u.usageLocation !== null && unlicensed(u)),
    e1Holder: find('holds E1', (u) => u.usageLocation !== null && holds(u, DEMO_SKUS.STANDARDPACK)),
    groupInherited: find('inherits EMS', (u) => holds(u, DEMO_SKUS.EMS, 'group')),
    directAndGroup: find('holds EMS directly and via a group', (u) => holds(u, DEMO_SKUS.EMS, 'both')),
    baseWithAddOn: find(
      'holds E3 and Audio Conferencing',
      (u) => holds(u, DEMO_SKUS.ENTERPRISEPACK, 'direct') && holds(u, DEMO_SKUS.MCOMEETADV, 'direct'),
    ),
    callingPlanHolder: find('holds a Calling Plan', (u) => holds(u, DEMO_SKUS.MCOPSTN1, 'direct')),
    powerBiHolder: find('holds Power BI Pro', (u) => holds(u, DEMO_SKUS.POWER_BI_PRO, 'direct')),
  };
}
