/** The fake's tenants: their SKUs, users and licences, the demo catalogue and a deterministic tenant maker. */

export interface FakeServicePlan {
  servicePlanId: string;
  servicePlanName: string;
  appliesTo?: 'User' | 'Company';
}

export interface FakeSku {
  skuId: string;
  skuPartNumber: string;
  appliesTo?: 'User' | 'Company';
  capabilityStatus?: 'Enabled' | 'Warning' | 'Suspended' | 'Deleted' | 'LockedOut';
  prepaidUnits: { enabled: number; warning?: number; suspended?: number; lockedOut?: number };
  servicePlans: FakeServicePlan[];
  /** Seats consumed by nobody the fake knows (e.g. after a quantity decrease). */
  extraConsumed?: number;
  /** Friendly name (Partner Center returns one; Graph does not). */
  name?: string;
  /** When its subscription next changes state (Graph's companySubscription.nextLifecycleDateTime). */
  nextLifecycleDateTime?: string;
}

export interface FakeUserLicense {
  skuId: string;
  disabledPlans: string[];
  /** null = assigned directly; else the group the licence is inherited from. */
  assignedByGroup: string | null;
}

export interface FakeUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  usageLocation: string | null;
  licenses: FakeUserLicense[];
}

/** A user named `displayName` (their UPN made of it at `domain`) with `licenses`. */
export function fakeUser(
  id: string,
  displayName: string,
  usageLocation: string | null,
  licenses: FakeUserLicense[] = [],
  domain = 'contoso.com',
): FakeUser {
  const userPrincipalName = `${displayName.toLowerCase().replace(/ /g, '.')}@${domain}`;
  return { id, displayName, userPrincipalName, usageLocation, licenses };
}

export interface FakeTenant {
  tenantId: string;
  name?: string;
  domain?: string;
  skus: FakeSku[];
  users: FakeUser[];
}

export const PLAN = {
  EXCHANGE_S_STANDARD: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38',
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40',
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7',
  BI_AZURE_P2: '70d33638-9c74-4d01-bfd3-562de28bd4ba',
  SHAREPOINT_PROJECT: 'fe71d6c3-a2ea-4499-9778-da042bf08063',
  MCOPSTN1: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8',
  FLOW_P2_VIRAL: '50e68c76-46c6-4674-81f9-75456511b170',
  TEAMS_FREE: '4fa4026d-ce74-4962-a151-8e96d57ea8e4',
  ADALLOM_S_O365: '8c098270-9dd4-4350-9b30-ba4703f3b36b',
} as const;

export const SKU = {
  E1: '18181a46-0d4e-45cd-891e-60aabd171b4e',
  E3: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  E5: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  PROJECT_P3: '53818b1b-4a27-454b-8896-0dba576410e6',
  AUDIO_CONF: '0c266dff-15dd-4b49-8397-2bb16070ed52',
  TEAMS_PHONE: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
  CALLING_PLAN: '0dab259f-bf13-4952-b7f8-7db8f131b28d',
  FLOW_FREE: 'f30db892-07e9-47e9-837c-80727f46fd3d',
  CRM_STANDARD: 'd17b27af-3f49-4822-99f9-56a661538792',
  COMPANY_ONLY: 'b05e124f-c7cc-45a0-a6aa-8cf78c946968',
} as const;

type PlanName = keyof typeof PLAN;

const plan = (servicePlanName: PlanName): FakeServicePlan => ({
  servicePlanId: PLAN[servicePlanName],
  servicePlanName,
  appliesTo: 'User',
});

/** A user SKU with `enabled` seats and these plans; `more` adds or overrides fields. */
function userSku(
  skuId: string,
  skuPartNumber: string,
  name: string,
  enabled: number,
  plans: PlanName[],
  more: Partial<FakeSku> = {},
): FakeSku {
  return { skuId, skuPartNumber, name, prepaidUnits: { enabled }, servicePlans: plans.map(plan), ...more };
}

/** A catalogue covering each rule: seats, suspension, warning, conflicts, dependencies, country. */
export function demoSkus(): FakeSku[] {
  const e1Plans: PlanName[] = ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'MCOSTANDARD'];
  const e3Plans: PlanName[] = [
    'EXCHANGE_S_ENTERPRISE',
    'SHAREPOINTENTERPRISE',
    'OFFICESUBSCRIPTION',
    'TEAMS1',
    'MCOSTANDARD',
  ];
  const e5Plans: PlanName[] = [
    'EXCHANGE_S_ENTERPRISE',
    'SHAREPOINTENTERPRISE',
    'TEAMS1',
    'MCOMEETADV',
    'MCOEV',
  ];
  const companyPlan: FakeServicePlan = {
    servicePlanId: PLAN.ADALLOM_S_O365,
    servicePlanName: 'ADALLOM_S_O365',
    appliesTo: 'Company',
  };
  return [
    userSku(SKU.E1, 'STANDARDPACK', 'Office 365 E1', 50, e1Plans),
    userSku(SKU.E3, 'ENTERPRISEPACK', 'Office 365 E3', 2000, e3Plans),
    userSku(SKU.E5, 'ENTERPRISEPREMIUM', 'Office 365 E5', 3, e5Plans, {
      capabilityStatus: 'Warning',
      prepaidUnits: { enabled: 3, warning: 2 },
      nextLifecycleDateTime: '2026-12-15T00:00:00Z',
      servicePlans: [...e5Plans.map(plan), companyPlan],
    }),
    userSku(SKU.POWER_BI_PRO, 'POWER_BI_PRO', 'Power BI Pro', 0, ['BI_AZURE_P2']),
    userSku(SKU.PROJECT_P3, 'PROJECTPROFESSIONAL', 'Project Plan 3', 10, [
      'SHAREPOINT_PROJECT',
      'SHAREPOINTENTERPRISE',
    ]),
    userSku(SKU.AUDIO_CONF, 'MCOMEETADV', 'Microsoft 365 Audio Conferencing', 20, ['MCOMEETADV']),
    userSku(SKU.TEAMS_PHONE, 'MCOEV', 'Microsoft Teams Phone Standard', 20, ['MCOEV']),
    userSku(SKU.CALLING_PLAN, 'MCOPSTN1', 'Microsoft Teams Domestic Calling Plan', 20, ['MCOPSTN1']),
    userSku(SKU.FLOW_FREE, 'FLOW_FREE', 'Power Automate Free', 10000, ['FLOW_P2_VIRAL']),
    userSku(SKU.CRM_STANDARD, 'CRMSTANDARD', 'Microsoft Dynamics CRM Online Professional', 0, [], {
      capabilityStatus: 'Suspended',
      prepaidUnits: { enabled: 0, suspended: 25 },
    }),
    {
      skuId: SKU.COMPANY_ONLY,
      skuPartNumber: 'PROJECT_MADEIRA_PREVIEW_IW_SKU',
      appliesTo: 'Company',
      prepaidUnits: { enabled: 10000 },
      servicePlans: [],
    },
  ];
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloé',
  'Dmitri',
  'Eva',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
];
const LAST = ['Adams', 'Brown', 'Chen', 'Dubois', 'Evans', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen'];
const COUNTRIES_LIST = ['US', 'GB', 'DE', 'FR', 'JP', 'IN', 'BR'];

/** A deterministic tenant: the demo catalogue and `users` users (every 10th without usage location). */
export function makeTenant(options: {
  tenantId: string;
  users: number;
  name?: string;
  domain?: string;
}): FakeTenant {
  const domain = options.domain ?? `${options.tenantId.slice(0, 8)}.onmicrosoft.com`;
  const users: FakeUser[] = [];
  for (let i = 0; i < options.users; i++) {
    const first = FIRST[i % FIRST.length] ?? 'User';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Person';
    const n = String(i).padStart(5, '0');
    const upn = `${first
      .normalize('NFD')
      .replace(/[^a-zA-Z]/g, '')
      .toLowerCase()}.${last
      .normalize('NFD')
      .replace(/[^a-zA-Z]/g, '')
      .toLowerCase()}${i}@${domain}`;
    users.push({
      id: `${n.slice(0, 5)}000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: `${first} ${last} ${i}`,
      userPrincipalName: upn,
      mail: upn,
      usageLocation: i % 10 === 9 ? null : (COUNTRIES_LIST[i % COUNTRIES_LIST.length] ?? 'US'),
      licenses: [],
    });
  }
  return {
    tenantId: options.tenantId,
    name: options.name ?? `Tenant ${options.tenantId.slice(0, 4)}`,
    domain,
    skus: demoSkus(),
    users,
  };
}
