/** Partner Center REST wire formats the adapter reads (camelCase, as the service answers). */
import { z } from 'zod';
import { optionalTexts } from '../wire-fields.js';

export const PcLink = z.object({
  uri: z.string(),
  method: z.string().optional(),
  headers: z.array(z.object({ key: z.string(), value: z.string() })).default([]),
});
export type PcLink = z.infer<typeof PcLink>;

export const pcCollection = <T extends z.ZodType>(item: T) =>
  z.object({
    totalCount: z.number().optional(),
    items: z.array(item).default([]),
    links: z.object({ next: PcLink.optional() }).nullish(),
    continuationToken: z.string().nullish(),
  });

export const PcCustomer = z.object({
  id: z.string(),
  companyProfile: z.object({
    tenantId: z.string().nullish(),
    domain: z.string().nullish(),
    companyName: z.string().nullish(),
  }),
});
export type PcCustomer = z.infer<typeof PcCustomer>;

export const PcUser = z.object({
  id: z.string(),
  ...optionalTexts('userPrincipalName', 'displayName', 'firstName', 'lastName', 'usageLocation', 'state'),
});
export type PcUser = z.infer<typeof PcUser>;

export const PcServicePlan = z.object(
  optionalTexts('id', 'displayName', 'serviceName', 'capabilityStatus', 'targetType'),
);

export const PcProductSku = z.object({
  id: z.string(),
  ...optionalTexts('name', 'skuPartNumber', 'targetType', 'licenseGroupId'),
});

export const PcSubscribedSku = z.object({
  availableUnits: z.number().default(0),
  activeUnits: z.number().default(0),
  consumedUnits: z.number().default(0),
  suspendedUnits: z.number().default(0),
  totalUnits: z.number().default(0),
  warningUnits: z.number().default(0),
  productSku: PcProductSku,
  servicePlans: z.array(PcServicePlan).default([]),
  capabilityStatus: z.string().nullish(),
});
export type PcSubscribedSku = z.infer<typeof PcSubscribedSku>;

export const PcLicense = z.object({
  servicePlans: z.array(PcServicePlan).default([]),
  productSku: PcProductSku,
});
export type PcLicense = z.infer<typeof PcLicense>;

export const PcError = z.object({
  code: z.union([z.number(), z.string()]).optional(),
  description: z.string().optional(),
  data: z.array(z.string()).nullish(),
  source: z.string().optional(),
});

/** The throttling answer has its own envelope. */
export const PcThrottle = z.object({ statusCode: z.number(), message: z.string() });

/** A 201 answer to licenseupdates: the warnings are about the change that was applied. */
export const PcLicenseUpdateAnswer = z.object({
  licenseWarnings: z
    .array(
      z.object({
        code: z.union([z.number(), z.string()]).nullish(),
        message: z.string().nullish(),
        servicePlans: z.array(z.unknown()).nullish(),
      }),
    )
    .nullish(),
});
