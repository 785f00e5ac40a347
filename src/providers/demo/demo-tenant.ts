/**
 * The demo tenant's data: what the generator makes, the DemoProvider mutates in place and
 * demo-file.ts stores as JSON. Consumed counts are not stored: they follow from the holdings.
 */
import { z } from 'zod';
import { Customer, ProductStatus, ServicePlan, TenantUser, UserLicense } from '../../licensing/model.js';

const units = z.number().int().nonnegative();

/** One product the customer owns, with its prepaid units as Graph's subscribedSku has them. */
export const DemoProduct = z.object({
  skuId: z.string().min(1),
  partNumber: z.string(),
  name: z.string(),
  /** Only `User` products can be assigned to users (and are listed). */
  appliesTo: z.enum(['User', 'Company']),
  status: ProductStatus,
  prepaid: z.object({ enabled: units, warning: units, suspended: units }),
  servicePlans: z.array(ServicePlan),
  /** When a product in warning gets suspended (ISO); tenant files from before it have none. */
  nextLifecycleDate: z.string().datetime({ offset: true }).optional(),
});
export type DemoProduct = z.infer<typeof DemoProduct>;

/** A group with licenses; members hold them with the group's id in `viaGroups`. */
export const DemoGroup = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  licenses: z.array(z.object({ skuId: z.string().min(1), disabledPlans: z.array(z.string()) })),
});
export type DemoGroup = z.infer<typeof DemoGroup>;

export const DemoCustomerData = z.object({
  customer: Customer,
  users: z.array(TenantUser),
  products: z.array(DemoProduct),
  groups: z.array(DemoGroup),
  /** Licenses by user id; users holding nothing are absent. */
  holdings: z.record(z.string(), z.array(UserLicense)),
});
export type DemoCustomerData = z.infer<typeof DemoCustomerData>;

export const DemoTenantData = z.object({
  version: z.literal(1),
  customers: z.array(DemoCustomerData),
});
export type DemoTenantData = z.infer<typeof DemoTenantData>;
