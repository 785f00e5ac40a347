/**
 * Friendly names of Microsoft products and service plans, for Graph (which returns only part
 * numbers) and Partner Center (which names products but not always plans). Only the SKUs the
 * reference's demo data uses; the full list is Microsoft's licensing CSV. Unknown SKUs show
 * their part number.
 */
const productNames: Record<string, string> = {
  '18181a46-0d4e-45cd-891e-60aabd171b4e': 'Office 365 E1',
  '6fd2c87f-b296-42f0-b197-1e91e994b900': 'Office 365 E3',
  'c7df2760-2c81-4ef7-b578-5b5392b571df': 'Office 365 E5',
  '05e9a617-0261-4cee-bb44-138d3ef5d965': 'Microsoft 365 E3',
  '06ebc4ee-1bb5-47dd-8120-11324bc54e06': 'Microsoft 365 E5',
  'cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46': 'Microsoft 365 Business Premium',
  'f245ecc8-75af-4f8e-b61f-27d8114de5f3': 'Microsoft 365 Business Standard',
  '3b555118-da6a-4418-894f-7df1e2096870': 'Microsoft 365 Business Basic',
  '4b9405b0-7788-4568-add1-99614e613b69': 'Exchange Online (Plan 1)',
  'efccb6f7-5641-4e0e-bd10-b4976e1bf68e': 'Enterprise Mobility + Security E3',
  '84a661c4-e949-4bd2-a560-ed7766fcaf2b': 'Microsoft Entra ID P2',
  'f8a1db68-be16-40ed-86d5-cb42ce701560': 'Power BI Pro',
  'c5928f49-12ba-48f7-ada3-0d743a3601d5': 'Visio Plan 2',
  '53818b1b-4a27-454b-8896-0dba576410e6': 'Project Plan 3',
  '0c266dff-15dd-4b49-8397-2bb16070ed52': 'Microsoft 365 Audio Conferencing',
  'e43b5b99-8dfb-405f-9987-dc307f34bcbd': 'Microsoft Teams Phone Standard',
  '0dab259f-bf13-4952-b7f8-7db8f131b28d': 'Microsoft Teams Domestic Calling Plan',
  'f30db892-07e9-47e9-837c-80727f46fd3d': 'Power Automate Free',
};

const planNames: Record<string, string> = {
  '9aaf7827-d63c-4b61-89c3-182f06f82e5c': 'Exchange Online (Plan 1)',
  'efb87545-963c-4e0d-99df-69c6916d9eb0': 'Exchange Online (Plan 2)',
  'c7699d2e-19aa-44de-8edf-1736da088ca1': 'SharePoint (Plan 1)',
  '5dbe027f-2339-4123-9542-606e4d348a72': 'SharePoint (Plan 2)',
  '57ff2da0-773e-42df-b2af-ffb7a2317929': 'Microsoft Teams',
  '0feaeb32-d00e-4d66-bd5a-43b5b83db82c': 'Skype for Business Online (Plan 2)',
  '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40': 'Microsoft 365 Audio Conferencing',
  '4828c8ec-dc2e-4779-b502-87ac9ce28ab7': 'Microsoft 365 Phone System',
  '70d33638-9c74-4d01-bfd3-562de28bd4ba': 'Power BI Pro',
  '663a804f-1c30-4ff0-9915-9db84f0d1cea': 'Visio desktop app',
  'fe71d6c3-a2ea-4499-9778-da042bf08063': 'Project Online Service',
  'c1ec4a95-1f05-45b3-a911-aa3fa01094f5': 'Microsoft Intune',
  '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8': 'Domestic Calling Plan',
};

export function productName(skuId: string, partNumber: string): string {
  return productNames[skuId.toLowerCase()] ?? partNumber;
}

export function planFriendlyName(planId: string): string | undefined {
  return planNames[planId.toLowerCase()];
}
