/** Fresh domain objects per test: `makeX({ ...overrides })`. */
import type {
  ChangeItem,
  ChangeRequest,
  Customer,
  ItemResult,
  Product,
  TenantUser,
  UserLicense,
} from '../../src/licensing/model.js';
import type { Approval } from '../../src/store/store-schema.js';

let sequence = 0;
const next = () => ++sequence;

export function makeCustomer(overrides: Partial<Customer> = {}): Customer {
  const n = next();
  return { id: `cust-${n}`, tenantId: `tenant-${n}`, name: `Customer ${n}`, ...overrides };
}

export function makeUser(overrides: Partial<TenantUser> = {}): TenantUser {
  const n = next();
  return {
    id: `user-${n}`,
    displayName: `User ${n}`,
    email: `user${n}@example.com`,
    usageLocation: 'US',
    ...overrides,
  };
}

/** `n` users named "Person 00000"… in the order they sort, with e-mails p0@contoso.com…. */
export function makeUsers(n: number): TenantUser[] {
  return Array.from({ length: n }, (_, i) =>
    makeUser({ displayName: `Person ${String(i).padStart(5, '0')}`, email: `p${i}@contoso.com` }),
  );
}

export function makeProduct(overrides: Partial<Product> = {}): Product {
  const n = next();
  const total = overrides.total ?? 100;
  const consumed = overrides.consumed ?? 0;
  return {
    skuId: `sku-${n}`,
    partNumber: `PART_${n}`,
    name: `Product ${n}`,
    status: 'enabled',
    total,
    consumed,
    available: Math.max(0, total - consumed),
    servicePlans: [
      { id: `plan-${n}-a`, name: `PLAN_${n}_A` },
      { id: `plan-${n}-b`, name: `PLAN_${n}_B` },
    ],
    ...overrides,
  };
}

export function makeLicense(skuId: string, overrides: Partial<UserLicense> = {}): UserLicense {
  return { skuId, disabledPlans: [], direct: true, viaGroups: [], ...overrides };
}

export function makeItem(user: TenantUser, change: Partial<ChangeItem['change']> = {}): ChangeItem {
  return {
    userId: user.id,
    displayName: user.displayName,
    email: user.email,
    change: { assign: change.assign ?? [], revoke: change.revoke ?? [] },
    noops: [],
  };
}

export function makeChangeRequest(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  const n = next();
  return {
    id: `req_test${n}`,
    customerId: 'cust-1',
    customerName: 'Customer 1',
    tenantId: 'tenant-1',
    requestedBy: 'U000OPERATOR',
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString(),
    status: 'approved',
    products: [],
    items: [],
    results: {},
    ...overrides,
  };
}

export function makeResult(overrides: Partial<ItemResult> = {}): ItemResult {
  return {
    userId: 'user-1',
    skuId: 'sku-1',
    op: 'assign',
    outcome: 'success',
    at: new Date(0).toISOString(),
    ...overrides,
  };
}

export function makeApproval(overrides: Partial<Approval> = {}): Approval {
  return {
    requestId: `req_test${next()}`,
    status: 'pending',
    requestedBy: 'U000OPERATOR',
    reason: 'Leavers of March',
    createdAt: new Date(0).toISOString(),
    expiresAt: new Date(24 * 3_600_000).toISOString(),
    ...overrides,
  };
}
