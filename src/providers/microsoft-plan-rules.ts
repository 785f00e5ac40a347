/**
 * The licensing rules Microsoft documents (reference §3), by service-plan id, for the backends
 * that apply Entra's rules (Graph, Partner Center). Only what the catalogue and the docs tell:
 * - exclusions: SharePoint Online (Plan 1) ⟂ (Plan 2), the documented E1 + E3 clash, with
 *   Project Plan 3 exempt (it bundles SharePoint (Plan 2) and is sold beside Business products);
 *   Teams (free) ⟂ Microsoft Teams;
 * - dependencies: Audio Conferencing and Teams Phone need Skype for Business Online (Plan 2) or
 *   Teams; Calling Plans need Teams Phone; Project Online Service needs SharePoint (Plan 2);
 * - no country limit: Microsoft publishes no list a bot can rely on (Calling Plan countries
 *   change), so a country refusal is learnt from the run, not predicted. A missing usage
 *   location and seats are predicted for every backend.
 */
import type { LicensingRules } from '../licensing/eligibility.js';

const PLANS = {
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  TEAMS_FREE: '4fa4026d-ce74-4962-a151-8e96d57ea8e4',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c',
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40',
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7',
  MCOPSTN1: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8',
  SHAREPOINT_PROJECT: 'fe71d6c3-a2ea-4499-9778-da042bf08063',
} as const;

/** Project Plan 3 (PROJECTPROFESSIONAL). */
const PROJECT_PLAN_3 = '53818b1b-4a27-454b-8896-0dba576410e6';

export const MICROSOFT_PLAN_RULES: LicensingRules = {
  dependencies: [
    { plan: PLANS.MCOMEETADV, requiresAnyOf: [PLANS.MCOSTANDARD, PLANS.TEAMS1] },
    { plan: PLANS.MCOEV, requiresAnyOf: [PLANS.MCOSTANDARD, PLANS.TEAMS1] },
    { plan: PLANS.MCOPSTN1, requiresAnyOf: [PLANS.MCOEV] },
    { plan: PLANS.SHAREPOINT_PROJECT, requiresAnyOf: [PLANS.SHAREPOINTENTERPRISE] },
  ],
  exclusions: [
    { plans: [PLANS.SHAREPOINTSTANDARD, PLANS.SHAREPOINTENTERPRISE], exemptSkus: [PROJECT_PLAN_3] },
    { plans: [PLANS.TEAMS_FREE, PLANS.TEAMS1], exemptSkus: [] },
  ],
  countryLimits: [],
};
