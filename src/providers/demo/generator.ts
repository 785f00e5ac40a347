/**
 * Deterministic demo data: the default tenant of ~25 customers, and single customers of any
 * size for benchmarks. Every customer starts with the same scripted users, one per failure
 * case (see demo-cases.ts), followed by a realistic random workforce.
 */
import type { Customer, TenantUser, UserLicense } from '../../licensing/model.js';
import { DEMO_CATALOG, DEMO_SKUS, type DemoSkuName } from './catalog.js';
import type { DemoCustomerData, DemoGroup, DemoProduct, DemoTenantData } from './demo-tenant.js';
import { expiryDate } from './lifecycle.js';
import { mailName, namePool, WORKFORCE_COUNTRIES } from './people-names.js';
import { CALLING_PLAN_COUNTRIES } from './rules.js';
import { SeededRandom } from './seeded-random.js';

export { DEMO_CATALOG, DEMO_PLANS, DEMO_SKUS } from './catalog.js';
export { type DemoCases, demoCases } from './demo-cases.js';

interface CustomerSpec {
  name: string;
  domain: string;
  /** Where most of the staff work. */
  country: string;
  users: number;
}

/** The default tenant's customers (Microsoft's fictitious companies), alphabetically. */
export const DEMO_CUSTOMERS: readonly CustomerSpec[] = [
  { name: 'A. Datum Corporation', domain: 'adatum.com', country: 'JP', users: 160 },
  { name: 'Adventure Works', domain: 'adventure-works.com', country: 'CA', users: 420 },
  { name: 'Alpine Ski House', domain: 'alpineskihouse.com', country: 'CH', users: 35 },
  { name: 'Blue Yonder Airlines', domain: 'blueyonderairlines.com', country: 'US', users: 1200 },
  { name: 'City Power & Light', domain: 'cpandl.com', country: 'US', users: 650 },
  { name: 'Coho Winery', domain: 'cohowinery.com', country: 'FR', users: 24 },
  { name: 'Consolidated Messenger', domain: 'consolidatedmessenger.com', country: 'GB', users: 310 },
  { name: 'Contoso', domain: 'contoso.com', country: 'US', users: 240 },
  { name: 'Fabrikam', domain: 'fabrikam.com', country: 'US', users: 880 },
  { name: 'Fourth Coffee', domain: 'fourthcoffee.com', country: 'US', users: 60 },
  { name: 'Graphic Design Institute', domain: 'graphicdesigninstitute.com', country: 'CA', users: 45 },
  { name: 'Humongous Insurance', domain: 'humongousinsurance.com', country: 'US', users: 1500 },
  { name: 'Litware', domain: 'litwareinc.com', country: 'US', users: 120 },
  { name: 'Lucerne Publishing', domain: 'lucernepublishing.com', country: 'DE', users: 75 },
  { name: "Margie's Travel", domain: 'margiestravel.com', country: 'AU', users: 28 },
  { name: 'Northwind Traders', domain: 'northwindtraders.com', country: 'US', users: 540 },
  { name: 'Proseware', domain: 'proseware.com', country: 'DE', users: 200 },
  { name: 'Relecloud', domain: 'relecloud.com', country: 'IN', users: 380 },
  { name: 'Tailspin Toys', domain: 'tailspintoys.com', country: 'GB', users: 90 },
  { name: 'Tailwind Traders', domain: 'tailwindtraders.com', country: 'BR', users: 260 },
  { name: 'Trey Research', domain: 'treyresearch.net', country: 'NL', users: 52 },
  { name: 'VanArsdel', domain: 'vanarsdelltd.com', country: 'US', users: 20 },
  { name: 'Wide World Importers', domain: 'wideworldimporters.com', country: 'US', users: 700 },
  { name: 'Wingtip Toys', domain: 'wingtiptoys.com', country: 'SE', users: 30 },
  { name: 'Woodgrove Bank', domain: 'woodgrovebank.com', country: 'GB', users: 3200 },
];

const DEFAULT_SEED = 20_250_101;

/** The default tenant: the same data for the same seed. */
export function generateDemoTenant(options: { seed?: number; createdAt?: Date } = {}): DemoTenantData {
  const seed = options.seed ?? DEFAULT_SEED;
  const expiry = expiryDate(options.createdAt);
  return {
    version: 1,
    customers: DEMO_CUSTOMERS.map((spec, i) =>
      buildCustomer(new SeededRandom(customerSeed(seed, i)), spec, 0, expiry),
    ),
  };
}

/**
 * One customer of any size (benchmarks use 1,000 and 100,000 users). Every product except
 * Power BI Pro (none left) and Exchange Online (Plan 1) (suspended) keeps at least
 * `spareSeats` (default 1,000) seats free, enough for a 1,000-user run of two products.
 */
export function generateCustomer(options: {
  seed: number;
  users: number;
  name?: string;
  id?: string;
  spareSeats?: number;
  createdAt?: Date;
}): DemoCustomerData {
  const random = new SeededRandom(options.seed);
  const name = options.name ?? 'Benchmark Industries';
  const spec = {
    name,
    domain: `${mailName(name.replace(/\s+/g, '')) || 'tenant'}.com`,
    country: 'US',
    users: options.users,
  };
  const data = buildCustomer(random, spec, options.spareSeats ?? 1000, expiryDate(options.createdAt));
  if (options.id !== undefined) data.customer.id = options.id;
  return data;
}

function customerSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}

type Holding = { sku: DemoSkuName; direct: boolean; group: boolean };

/** The first users of every customer, one per failure case, in this order (demo-cases.ts finds them). */
const SCRIPTED: readonly { country?: string; noUsageLocation?: boolean; holds: readonly Holding[] }[] = [
  { noUsageLocation: true, holds: [] },
  { noUsageLocation: true, holds: [] },
  { country: 'IN', holds: [direct('ENTERPRISEPACK'), direct('MCOEV')] },
  { holds: [] },
  { holds: [direct('STANDARDPACK')] },
  { holds: [{ sku: 'EMS', direct: false, group: true }] },
  { holds: [{ sku: 'EMS', direct: true, group: true }, direct('ENTERPRISEPACK')] },
  { holds: [direct('ENTERPRISEPACK'), direct('MCOMEETADV')] },
  { country: 'US', holds: [direct('ENTERPRISEPACK'), direct('MCOEV'), direct('MCOPSTN1')] },
  { holds: [direct('ENTERPRISEPACK'), direct('POWER_BI_PRO')] },
];

function direct(sku: DemoSkuName): Holding {
  return { sku, direct: true, group: false };
}

const BASES: readonly (readonly [DemoSkuName | null, number])[] = [
  ['ENTERPRISEPACK', 40],
  ['SPE_E3', 10],
  ['ENTERPRISEPREMIUM', 4],
  ['SPE_E5', 3],
  ['STANDARDPACK', 18],
  ['O365_BUSINESS_ESSENTIALS', 5],
  ['O365_BUSINESS_PREMIUM', 3],
  ['SPB', 2],
  [null, 15],
];

/** Every base above includes Teams; the E5 suites also include Audio Conferencing and Teams Phone. */
function randomHoldings(random: SeededRandom, usageLocation: string | null): Holding[] {
  const holds: Holding[] = [];
  const base = random.weighted(BASES);
  if (base !== null) holds.push(direct(base));
  const e5 = base === 'ENTERPRISEPREMIUM' || base === 'SPE_E5';
  if (base !== null && !e5 && random.chance(0.08)) holds.push(direct('MCOMEETADV'));
  let phone = e5;
  if (base !== null && !e5 && random.chance(0.05)) {
    holds.push(direct('MCOEV'));
    phone = true;
  }
  if (
    phone &&
    usageLocation !== null &&
    CALLING_PLAN_COUNTRIES.includes(usageLocation) &&
    random.chance(0.5)
  ) {
    holds.push(direct('MCOPSTN1'));
  }
  if (random.chance(0.04)) holds.push({ sku: 'EMS', direct: random.chance(0.2), group: true });
  else if (random.chance(0.1)) holds.push(direct('EMS'));
  if (random.chance(0.03)) holds.push(direct('AAD_PREMIUM_P2'));
  if (random.chance(0.06)) holds.push(direct('POWER_BI_PRO'));
  if (random.chance(0.03)) holds.push(direct('VISIOCLIENT'));
  if (random.chance(0.02)) holds.push(direct('PROJECTPROFESSIONAL'));
  if (random.chance(0.25)) holds.push(direct('FLOW_FREE'));
  return holds;
}

function buildCustomer(
  random: SeededRandom,
  spec: CustomerSpec,
  minSpare: number,
  expiry: string,
): DemoCustomerData {
  const customer: Customer = {
    id: random.guid(),
    tenantId: random.guid(),
    name: spec.name,
    domain: spec.domain,
  };
  const group: DemoGroup = {
    id: random.guid(),
    displayName: 'Mobility – EMS E3',
    licenses: [{ skuId: DEMO_SKUS.EMS, disabledPlans: [] }],
  };
  const users: TenantUser[] = [];
  const holdings: Record<string, UserLicense[]> = {};
  const consumed = new Map<string, number>();
  const emailOf = emailAddresses(spec.domain);

  for (let i = 0; i < spec.users; i++) {
    const script = SCRIPTED[i];
    const user = buildUser(random, spec, script, emailOf);
    users.push(user);
    const holds = script?.holds ?? randomHoldings(random, user.usageLocation);
    if (holds.length === 0) continue;
    holdings[user.id] = holds.map(({ sku, direct: isDirect, group: viaGroup }) => {
      const skuId = DEMO_SKUS[sku];
      consumed.set(skuId, (consumed.get(skuId) ?? 0) + 1);
      return {
        skuId,
        disabledPlans: [],
        direct: isDirect,
        viaGroups: viaGroup ? [group.id] : [],
      };
    });
  }

  return {
    customer,
    users,
    products: buildProducts(spec, minSpare, consumed, expiry),
    groups: [group],
    holdings,
  };
}

function buildUser(
  random: SeededRandom,
  spec: CustomerSpec,
  script: (typeof SCRIPTED)[number] | undefined,
  emailOf: (first: string, last: string) => string,
): TenantUser {
  const country =
    script?.country ?? (random.chance(0.7) ? spec.country : random.weighted(WORKFORCE_COUNTRIES));
  const names = namePool(country);
  const first = random.pick(names.first);
  const last = random.pick(names.last);
  const email = emailOf(first, last);
  const noUsageLocation = script === undefined ? random.chance(0.015) : script.noUsageLocation === true;
  return {
    id: random.guid(),
    displayName: `${first} ${last}`,
    email,
    usageLocation: noUsageLocation ? null : country,
  };
}

/** `first.last@domain`, with a number from the second holder of a name on (`first.last2@…`). */
function emailAddresses(domain: string): (first: string, last: string) => string {
  const emailCounts = new Map<string, number>();
  const mailNames = new Map<string, string>();
  const mailNameOf = (name: string) => {
    let mail = mailNames.get(name);
    if (mail === undefined) {
      mail = mailName(name);
      mailNames.set(name, mail);
    }
    return mail;
  };
  return (first, last) => {
    const local = `${mailNameOf(first)}.${mailNameOf(last)}`;
    const seen = emailCounts.get(local) ?? 0;
    emailCounts.set(local, seen + 1);
    return `${local}${seen === 0 ? '' : seen + 1}@${domain}`;
  };
}

/** The catalogue with seat counts: what the users hold plus some spare. */
function buildProducts(
  spec: CustomerSpec,
  minSpare: number,
  consumed: ReadonlyMap<string, number>,
  expiry: string,
): DemoProduct[] {
  return DEMO_CATALOG.map((entry): DemoProduct => {
    const used = consumed.get(entry.skuId) ?? 0;
    const share = entry.partNumber === 'ENTERPRISEPACK' ? 0.08 : 0.04;
    const spare = Math.max(minSpare, 3, Math.round(spec.users * share));
    const [status, prepaid] = seats(entry.partNumber, used, spare);
    return {
      skuId: entry.skuId,
      partNumber: entry.partNumber,
      name: entry.name,
      appliesTo: 'User',
      status,
      prepaid,
      servicePlans: entry.servicePlans.map((plan) => ({ ...plan })),
      ...(status === 'warning' ? { nextLifecycleDate: expiry } : {}),
    };
  });
}

/** Invented seat counts: Power BI Pro has none left, Exchange Online (Plan 1) is suspended, Visio is in warning. */
function seats(
  sku: DemoSkuName,
  used: number,
  spare: number,
): [DemoProduct['status'], DemoProduct['prepaid']] {
  switch (sku) {
    case 'POWER_BI_PRO':
      return ['enabled', { enabled: used, warning: 0, suspended: 0 }];
    case 'EXCHANGESTANDARD':
      return ['suspended', { enabled: 0, warning: 0, suspended: 25 }];
    case 'VISIOCLIENT':
      return ['warning', { enabled: 0, warning: used + spare, suspended: 0 }];
    case 'FLOW_FREE':
      return ['enabled', { enabled: Math.max(10_000, used + spare), warning: 0, suspended: 0 }];
    default:
      return ['enabled', { enabled: used + spare, warning: 0, suspended: 0 }];
  }
}
