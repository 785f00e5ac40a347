/**
 * The licensing rules the demo tenant enforces, at service-plan level as Entra does
 * (reference §3 and §5). Every rule looks only at plans that are enabled for the user.
 */
import type {
  LicensingRules,
  PlanCountryLimit,
  PlanDependency,
  PlanExclusion,
} from '../../licensing/eligibility.js';
import { DEMO_PLANS, DEMO_SKUS } from './catalog.js';

export type { PlanCountryLimit, PlanDependency, PlanExclusion } from '../../licensing/eligibility.js';

/**
 * Countries where Calling Plans are sold: an approximation for the demo (reference §3),
 * not Microsoft's authoritative list.
 */
export const CALLING_PLAN_COUNTRIES: readonly string[] = [
  'US',
  'CA',
  'GB',
  'AU',
  'DE',
  'FR',
  'NL',
  'IE',
  'ES',
  'IT',
  'JP',
  'NZ',
  'SE',
  'CH',
];

export const PLAN_DEPENDENCIES: readonly PlanDependency[] = [
  { plan: DEMO_PLANS.MCOMEETADV, requiresAnyOf: [DEMO_PLANS.MCOSTANDARD, DEMO_PLANS.TEAMS1] },
  { plan: DEMO_PLANS.MCOEV, requiresAnyOf: [DEMO_PLANS.MCOSTANDARD, DEMO_PLANS.TEAMS1] },
  { plan: DEMO_PLANS.MCOPSTN1, requiresAnyOf: [DEMO_PLANS.MCOEV] },
  { plan: DEMO_PLANS.SHAREPOINT_PROJECT, requiresAnyOf: [DEMO_PLANS.SHAREPOINTENTERPRISE] },
];

export const PLAN_EXCLUSIONS: readonly PlanExclusion[] = [
  {
    plans: [DEMO_PLANS.SHAREPOINTSTANDARD, DEMO_PLANS.SHAREPOINTENTERPRISE],
    // Project Plan 3 bundles SharePoint (Plan 2) for its own service and is sold as an add-on
    // to Business products, so it must not clash with them (reference §5).
    exemptSkus: [DEMO_SKUS.PROJECTPROFESSIONAL],
  },
];

export const PLAN_COUNTRY_LIMITS: readonly PlanCountryLimit[] = [
  { plan: DEMO_PLANS.MCOPSTN1, countries: CALLING_PLAN_COUNTRIES },
];

/** The same rules as the licensing port serves them (LicenseProvider.licensingRules). */
export const DEMO_RULES: LicensingRules = {
  dependencies: PLAN_DEPENDENCIES,
  exclusions: PLAN_EXCLUSIONS,
  countryLimits: PLAN_COUNTRY_LIMITS,
};
