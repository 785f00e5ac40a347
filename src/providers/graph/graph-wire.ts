/** Graph v1.0 wire formats the adapter reads (only the fields it uses). */
import { z } from 'zod';
import { optionalTexts } from '../wire-fields.js';

export const GraphServicePlan = z.object({
  servicePlanId: z.string(),
  servicePlanName: z.string(),
  provisioningStatus: z.string().optional(),
  appliesTo: z.string().optional(),
});

export const GraphSubscribedSku = z.object({
  skuId: z.string(),
  skuPartNumber: z.string(),
  appliesTo: z.string(),
  capabilityStatus: z.string(),
  consumedUnits: z.number(),
  prepaidUnits: z.object({
    enabled: z.number().default(0),
    warning: z.number().default(0),
    suspended: z.number().default(0),
    lockedOut: z.number().default(0),
  }),
  servicePlans: z.array(GraphServicePlan).default([]),
});
export type GraphSubscribedSku = z.infer<typeof GraphSubscribedSku>;

export const GraphSubscribedSkus = z.object({ value: z.array(GraphSubscribedSku) });

export const GraphLicenseAssignmentState = z.object({
  skuId: z.string(),
  disabledPlans: z.array(z.string()).nullish(),
  ...optionalTexts('assignedByGroup', 'state', 'error'),
});

export const GraphUser = z.object({
  id: z.string(),
  ...optionalTexts('displayName', 'userPrincipalName', 'mail', 'usageLocation'),
  assignedLicenses: z
    .array(z.object({ skuId: z.string(), disabledPlans: z.array(z.string()).nullish() }))
    .nullish(),
  licenseAssignmentStates: z.array(GraphLicenseAssignmentState).nullish(),
});
export type GraphUser = z.infer<typeof GraphUser>;

/** The one field read to tell a missing usage location from one the product is not sold in. */
export const GraphUsageLocation = z.object({ usageLocation: z.string().nullish() });

export const GraphUserPage = z.object({
  value: z.array(GraphUser),
  '@odata.count': z.number().optional(),
  '@odata.nextLink': z.string().optional(),
});
export type GraphUserPage = z.infer<typeof GraphUserPage>;

export const GraphErrorBody = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
  }),
});

export const GraphBatchResponse = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()).nullish(),
      body: z.unknown().optional(),
    }),
  ),
});

/** Fields every user read selects: Graph omits licence fields unless asked. */
export const USER_SELECT =
  'id,displayName,userPrincipalName,mail,usageLocation,assignedLicenses,licenseAssignmentStates,accountEnabled';
