/**
 * The real Microsoft products of the demo tenant (reference §5): skuIds, part numbers and
 * service-plan ids from Microsoft's licensing CSV. Plans are a subset, enough to model the
 * conflicts, dependencies and country limits of rules.ts. Seat counts live in the tenant data.
 */
import type { ServicePlan } from '../../licensing/model.js';

/** Service-plan ids by plan name. */
export const DEMO_PLANS = {
  EXCHANGE_S_STANDARD: '9aaf7827-d63c-4b61-89c3-182f06f82e5c',
  SHAREPOINTSTANDARD: 'c7699d2e-19aa-44de-8edf-1736da088ca1',
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  MCOSTANDARD: '0feaeb32-d00e-4d66-bd5a-43b5b83db82c',
  SHAREPOINTWAC: 'e95bec33-7c88-4a70-8e19-b10bd9d0c014',
  EXCHANGE_S_ENTERPRISE: 'efb87545-963c-4e0d-99df-69c6916d9eb0',
  SHAREPOINTENTERPRISE: '5dbe027f-2339-4123-9542-606e4d348a72',
  OFFICESUBSCRIPTION: '43de0ff5-c92c-492b-9116-175376d08c38',
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40',
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7',
  AAD_PREMIUM: '41781fb2-bc02-4b7c-bd55-b576c07bb09d',
  INTUNE_A: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5',
  MFA_PREMIUM: '8a256a2b-b617-496d-b51b-e76466e88db0',
  THREAT_INTELLIGENCE: '8e0c0a52-6a6c-4d40-8370-dd62790dcd70',
  AAD_PREMIUM_P2: 'eec0eb4f-6444-4f95-aba0-50c24d67f998',
  OFFICE_BUSINESS: '094e7854-93fc-4d55-b2c0-3ab5369ebdc1',
  ATP_ENTERPRISE: 'f20fedf3-f3c3-43c3-8267-2bfdd51c0939',
  INTUNE_O365: '882e1d05-acd1-4ccb-8708-6ee03664b117',
  RMS_S_PREMIUM: '6c57d4b6-3b23-47a5-9bc9-69f17b4947b3',
  BI_AZURE_P2: '70d33638-9c74-4d01-bfd3-562de28bd4ba',
  EXCHANGE_S_FOUNDATION: '113feb6c-3fe4-4440-bddc-54d774bf0318',
  VISIO_CLIENT_SUBSCRIPTION: '663a804f-1c30-4ff0-9915-9db84f0d1cea',
  VISIOONLINE: '2bdbaf8f-738f-4ac7-9234-3c3ee2ce7d0f',
  ONEDRIVE_BASIC: 'da792a53-cbc0-4184-a10d-e544dd34b3c1',
  PROJECT_CLIENT_SUBSCRIPTION: 'fafd7243-e5c1-4a3a-9e40-495efcb1d3c3',
  SHAREPOINT_PROJECT: 'fe71d6c3-a2ea-4499-9778-da042bf08063',
  MCOPSTN1: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8',
  FLOW_P2_VIRAL: '50e68c76-46c6-4674-81f9-75456511b170',
} as const;
export type DemoPlanName = keyof typeof DEMO_PLANS;

const planFriendlyNames: Record<DemoPlanName, string> = {
  EXCHANGE_S_STANDARD: 'Exchange Online (Plan 1)',
  SHAREPOINTSTANDARD: 'SharePoint (Plan 1)',
  TEAMS1: 'Microsoft Teams',
  MCOSTANDARD: 'Skype for Business Online (Plan 2)',
  SHAREPOINTWAC: 'Office for the Web',
  EXCHANGE_S_ENTERPRISE: 'Exchange Online (Plan 2)',
  SHAREPOINTENTERPRISE: 'SharePoint (Plan 2)',
  OFFICESUBSCRIPTION: 'Microsoft 365 Apps for enterprise',
  MCOMEETADV: 'Microsoft 365 Audio Conferencing',
  MCOEV: 'Microsoft 365 Phone System',
  AAD_PREMIUM: 'Microsoft Entra ID P1',
  INTUNE_A: 'Microsoft Intune',
  MFA_PREMIUM: 'Microsoft Azure Multi-Factor Authentication',
  THREAT_INTELLIGENCE: 'Microsoft Defender for Office 365 (Plan 2)',
  AAD_PREMIUM_P2: 'Microsoft Entra ID P2',
  OFFICE_BUSINESS: 'Microsoft 365 Apps for business',
  ATP_ENTERPRISE: 'Microsoft Defender for Office 365 (Plan 1)',
  INTUNE_O365: 'Mobile Device Management for Office 365',
  RMS_S_PREMIUM: 'Microsoft Azure Information Protection Premium P1',
  BI_AZURE_P2: 'Power BI Pro',
  EXCHANGE_S_FOUNDATION: 'Exchange Foundation',
  VISIO_CLIENT_SUBSCRIPTION: 'Visio Desktop App',
  VISIOONLINE: 'Visio Web App',
  ONEDRIVE_BASIC: 'OneDrive for Business (Basic)',
  PROJECT_CLIENT_SUBSCRIPTION: 'Project Online Desktop Client',
  SHAREPOINT_PROJECT: 'Project Online Service',
  MCOPSTN1: 'Microsoft 365 Domestic Calling Plan',
  FLOW_P2_VIRAL: 'Flow Free',
};

/** skuIds by part number. */
export const DEMO_SKUS = {
  STANDARDPACK: '18181a46-0d4e-45cd-891e-60aabd171b4e',
  ENTERPRISEPACK: '6fd2c87f-b296-42f0-b197-1e91e994b900',
  ENTERPRISEPREMIUM: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
  SPE_E3: '05e9a617-0261-4cee-bb44-138d3ef5d965',
  SPE_E5: '06ebc4ee-1bb5-47dd-8120-11324bc54e06',
  SPB: 'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46',
  O365_BUSINESS_PREMIUM: 'f245ecc8-75af-4f8e-b61f-27d8114de5f3',
  O365_BUSINESS_ESSENTIALS: '3b555118-da6a-4418-894f-7df1e2096870',
  EXCHANGESTANDARD: '4b9405b0-7788-4568-add1-99614e613b69',
  EMS: 'efccb6f7-5641-4e0e-bd10-b4976e1bf68e',
  AAD_PREMIUM_P2: '84a661c4-e949-4bd2-a560-ed7766fcaf2b',
  POWER_BI_PRO: 'f8a1db68-be16-40ed-86d5-cb42ce701560',
  VISIOCLIENT: 'c5928f49-12ba-48f7-ada3-0d743a3601d5',
  PROJECTPROFESSIONAL: '53818b1b-4a27-454b-8896-0dba576410e6',
  MCOMEETADV: '0c266dff-15dd-4b49-8397-2bb16070ed52',
  MCOEV: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd',
  MCOPSTN1: '0dab259f-bf13-4952-b7f8-7db8f131b28d',
  FLOW_FREE: 'f30db892-07e9-47e9-837c-80727f46fd3d',
} as const;
export type DemoSkuName = keyof typeof DEMO_SKUS;

export interface CatalogProduct {
  skuId: string;
  partNumber: DemoSkuName;
  name: string;
  servicePlans: ServicePlan[];
}

const suite = ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'OFFICESUBSCRIPTION'] as const;
// The reference lists key plans only; the Microsoft 365 suites really include Teams and
// Skype (Plan 2), which the Teams add-ons need as their base.
const m365E3 = [...suite, 'TEAMS1', 'MCOSTANDARD', 'AAD_PREMIUM', 'INTUNE_A', 'MFA_PREMIUM'] as const;

const products: Record<DemoSkuName, { name: string; plans: readonly DemoPlanName[] }> = {
  STANDARDPACK: {
    name: 'Office 365 E1',
    plans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'MCOSTANDARD', 'SHAREPOINTWAC'],
  },
  ENTERPRISEPACK: { name: 'Office 365 E3', plans: [...suite, 'TEAMS1', 'MCOSTANDARD'] },
  ENTERPRISEPREMIUM: {
    name: 'Office 365 E5',
    plans: ['EXCHANGE_S_ENTERPRISE', 'SHAREPOINTENTERPRISE', 'TEAMS1', 'MCOSTANDARD', 'MCOMEETADV', 'MCOEV'],
  },
  SPE_E3: { name: 'Microsoft 365 E3', plans: m365E3 },
  SPE_E5: {
    name: 'Microsoft 365 E5',
    plans: [...m365E3, 'MCOEV', 'MCOMEETADV', 'THREAT_INTELLIGENCE', 'AAD_PREMIUM_P2'],
  },
  SPB: {
    name: 'Microsoft 365 Business Premium',
    plans: [
      'EXCHANGE_S_STANDARD',
      'SHAREPOINTSTANDARD',
      'OFFICE_BUSINESS',
      'TEAMS1',
      'AAD_PREMIUM',
      'INTUNE_A',
      'ATP_ENTERPRISE',
    ],
  },
  O365_BUSINESS_PREMIUM: {
    name: 'Microsoft 365 Business Standard',
    plans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'OFFICE_BUSINESS', 'TEAMS1', 'MCOSTANDARD'],
  },
  O365_BUSINESS_ESSENTIALS: {
    name: 'Microsoft 365 Business Basic',
    plans: ['EXCHANGE_S_STANDARD', 'SHAREPOINTSTANDARD', 'TEAMS1', 'MCOSTANDARD', 'SHAREPOINTWAC'],
  },
  EXCHANGESTANDARD: { name: 'Exchange Online (Plan 1)', plans: ['EXCHANGE_S_STANDARD', 'INTUNE_O365'] },
  EMS: {
    name: 'Enterprise Mobility + Security E3',
    plans: ['AAD_PREMIUM', 'INTUNE_A', 'RMS_S_PREMIUM', 'MFA_PREMIUM'],
  },
  AAD_PREMIUM_P2: { name: 'Microsoft Entra ID P2', plans: ['AAD_PREMIUM_P2', 'AAD_PREMIUM', 'MFA_PREMIUM'] },
  POWER_BI_PRO: { name: 'Power BI Pro', plans: ['BI_AZURE_P2', 'EXCHANGE_S_FOUNDATION'] },
  VISIOCLIENT: {
    name: 'Visio Plan 2',
    plans: ['VISIO_CLIENT_SUBSCRIPTION', 'VISIOONLINE', 'ONEDRIVE_BASIC'],
  },
  PROJECTPROFESSIONAL: {
    name: 'Project Plan 3',
    plans: ['PROJECT_CLIENT_SUBSCRIPTION', 'SHAREPOINT_PROJECT', 'SHAREPOINTENTERPRISE'],
  },
  MCOMEETADV: { name: 'Microsoft 365 Audio Conferencing', plans: ['MCOMEETADV'] },
  MCOEV: { name: 'Microsoft Teams Phone Standard', plans: ['MCOEV'] },
  MCOPSTN1: { name: 'Microsoft Teams Domestic Calling Plan', plans: ['MCOPSTN1'] },
  FLOW_FREE: { name: 'Power Automate Free', plans: ['FLOW_P2_VIRAL'] },
};

function servicePlan(name: DemoPlanName): ServicePlan {
  return { id: DEMO_PLANS[name], name, friendlyName: planFriendlyNames[name] };
}

/** The 18 products in the order of the reference table. */
export const DEMO_CATALOG: readonly CatalogProduct[] = (Object.keys(DEMO_SKUS) as DemoSkuName[]).map(
  (partNumber) => ({
    skuId: DEMO_SKUS[partNumber],
    partNumber,
    name: products[partNumber].name,
    servicePlans: products[partNumber].plans.map(servicePlan),
  }),
);
