/**
 * POST …/licenseupdates: the Graph fake's licensing rules, Partner Center's 60012 body verbatim for
 * missing seats, directory refusals passed through, and a 201 with any licenseWarnings asked for.
 */
import { applyLicenseChange, type FakeTenant, type FakeUser } from '../graph-fake/index.js';
import { type Answer, pcError } from './answers.js';

/** A Group2 (Minecraft) SKU: never listed with Group1 and never mixed with it in one update. */
export const MINECRAFT_SKU = '4f6bd3c6-a3a4-4b3e-9e7a-2b2f3c1d0001';

/** A licenseupdates answer's warning, as Partner Center writes it. */
export interface FakeLicenseWarning {
  code: string;
  message: string;
  servicePlans: string[];
}

export function licenseUpdate(
  customer: FakeTenant,
  user: FakeUser,
  body: unknown,
  warnings: () => FakeLicenseWarning[],
): Answer {
  const { add, remove } = requestedChange(body);
  const skus = [...add.map((a) => a.skuId), ...remove];
  if (skus.includes(MINECRAFT_SKU) && skus.some((s) => s !== MINECRAFT_SKU)) {
    return pcError(400, 800002, 'All licenses in a license update must belong to the same license group.');
  }
  const failure = applyLicenseChange(customer, user, add, remove);
  if (failure?.kind === 'seats') {
    return pcError(
      400,
      60012,
      "We&#39;re sorry, it looks like you've run out of licenses. Buy more licenses, and then try again.",
      [
        `LicenseQuotaExceededException : Subscription with Account ${customer.tenantId} and SKU ${failure.skuId} does not have any available licenses left.`,
      ],
    );
  }
  // Not documented: the code Partner Center puts on directory refusals; the text is passed through.
  if (failure) return pcError(400, 800002, failure.message, [failure.message]);
  return {
    status: 201,
    body: {
      licensesToAssign: add.map((a) => ({ skuId: a.skuId })),
      licenseWarnings: warnings(),
      attributes: { objectType: 'LicenseUpdate' },
    },
  };
}

/** The docs' samples are PascalCase, answers camelCase: both are accepted. */
function requestedChange(body: unknown): {
  add: Array<{ skuId: string; disabledPlans: string[] }>;
  remove: string[];
} {
  const b = (body ?? {}) as Record<string, unknown>;
  const assign = (b.licensesToAssign ?? b.LicensesToAssign ?? []) as Array<Record<string, unknown>> | null;
  const remove = (b.licensesToRemove ?? b.LicensesToRemove ?? []) as string[] | null;
  return {
    add: (assign ?? []).map((a) => ({
      skuId: String(a.skuId ?? a.SkuId ?? '').toLowerCase(),
      disabledPlans: (((a.excludedPlans ?? a.ExcludedPlans ?? []) as string[] | null) ?? []).map((p) =>
        p.toLowerCase(),
      ),
    })),
    remove: (remove ?? []).map((s) => s.toLowerCase()),
  };
}
