import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../../src/licensing/execution/failure-explanation.js';
import type { ItemResult, Product } from '../../../src/licensing/model.js';
import { DEMO_PLANS, DEMO_SKUS } from '../../../src/providers/demo/catalog.js';
import { graphMessages } from '../../../src/providers/demo/demo-errors.js';
import { makeLicense, makeProduct, makeResult } from '../../support/licensing-factories.js';

const plan = (key: keyof typeof DEMO_PLANS, friendlyName?: string) => ({
  id: DEMO_PLANS[key],
  name: key,
  ...(friendlyName ? { friendlyName } : {}),
});

const e1 = makeProduct({
  skuId: DEMO_SKUS.STANDARDPACK,
  name: 'Office 365 E1',
  servicePlans: [plan('SHAREPOINTSTANDARD', 'SharePoint (Plan 1)'), plan('TEAMS1', 'Microsoft Teams')],
});
const e3 = makeProduct({
  skuId: DEMO_SKUS.ENTERPRISEPACK,
  name: 'Office 365 E3',
  servicePlans: [
    plan('SHAREPOINTENTERPRISE', 'SharePoint (Plan 2)'),
    plan('TEAMS1', 'Microsoft Teams'),
    plan('MCOSTANDARD', 'Skype for Business Online (Plan 2)'),
  ],
});
const project = makeProduct({
  skuId: DEMO_SKUS.PROJECTPROFESSIONAL,
  name: 'Project Plan 3',
  servicePlans: [plan('SHAREPOINTENTERPRISE')],
});
const audio = makeProduct({
  skuId: DEMO_SKUS.MCOMEETADV,
  name: 'Microsoft 365 Audio Conferencing',
  servicePlans: [plan('MCOMEETADV', 'Microsoft 365 Audio Conferencing')],
});
const calling = makeProduct({
  skuId: DEMO_SKUS.MCOPSTN1,
  name: 'Microsoft Teams Calling Plan',
  servicePlans: [plan('MCOPSTN1', 'Microsoft 365 Domestic Calling Plan')],
});
const suspended = makeProduct({ name: 'Old Suite', status: 'suspended', servicePlans: [plan('TEAMS1')] });
const catalogue: Product[] = [e1, e3, project, audio, calling, suspended];

const failed = (
  skuId: string,
  reason: ItemResult['reason'],
  detail: string,
  op: ItemResult['op'] = 'assign',
) => makeResult({ skuId, op, outcome: 'failed', reason, detail });

const exclusive = graphMessages.exclusive(DEMO_PLANS.SHAREPOINTSTANDARD, DEMO_PLANS.SHAREPOINTENTERPRISE);
const needsTeams = graphMessages.dependency(DEMO_PLANS.MCOMEETADV, [
  DEMO_PLANS.MCOSTANDARD,
  DEMO_PLANS.TEAMS1,
]);

describe('explainFailure', () => {
  it('names the held product a conflict is with, not one bringing the same plan as the failed one', () => {
    const result = failed(e3.skuId, 'mutually_exclusive', exclusive);
    const holdings = [makeLicense(e1.skuId), makeLicense(project.skuId)];
    expect(explainFailure({ result, holdings, catalogue, assigned: [] })).toEqual({
      kind: 'conflict',
      products: [{ skuId: e1.skuId, name: 'Office 365 E1' }],
      held: true,
      plans: [],
    });
  });

  it('leaves out a held product the provider exempts from the clash', () => {
    const result = failed(e1.skuId, 'mutually_exclusive', exclusive);
    const holdings = [makeLicense(e3.skuId), makeLicense(project.skuId)];
    const exclusions = [
      {
        plans: [DEMO_PLANS.SHAREPOINTSTANDARD, DEMO_PLANS.SHAREPOINTENTERPRISE] as const,
        exemptSkus: [project.skuId],
      },
    ];
    expect(
      explainFailure({ result, holdings, catalogue, assigned: [] })?.products.map((p) => p.name),
    ).toEqual(['Office 365 E3', 'Project Plan 3']);
    expect(
      explainFailure({ result, holdings, catalogue, assigned: [], exclusions })?.products.map((p) => p.name),
    ).toEqual(['Office 365 E3']);
  });

  it('names a product of the same change when the user holds none that clashes', () => {
    const result = failed(e1.skuId, 'mutually_exclusive', exclusive);
    const explained = explainFailure({ result, holdings: [], catalogue, assigned: [e1.skuId, e3.skuId] });
    expect(explained).toMatchObject({ kind: 'conflict', held: false, products: [{ name: 'Office 365 E3' }] });
  });

  it('ignores a held product whose clashing plan is turned off', () => {
    const result = failed(e3.skuId, 'mutually_exclusive', exclusive);
    const holdings = [makeLicense(e1.skuId, { disabledPlans: [DEMO_PLANS.SHAREPOINTSTANDARD] })];
    expect(explainFailure({ result, holdings, catalogue, assigned: [] })).toBeUndefined();
  });

  it('names the plans a product needs and the products that include one, suspended ones left out', () => {
    const result = failed(audio.skuId, 'missing_prerequisite', needsTeams);
    expect(explainFailure({ result, holdings: [], catalogue, assigned: [] })).toEqual({
      kind: 'needs',
      products: [
        { skuId: e1.skuId, name: 'Office 365 E1' },
        { skuId: e3.skuId, name: 'Office 365 E3' },
      ],
      held: false,
      plans: ['Skype for Business Online (Plan 2)', 'Microsoft Teams'],
    });
  });

  it('names the held product that needs what a revocation takes away', () => {
    const result = failed(e3.skuId, 'missing_prerequisite', needsTeams, 'revoke');
    const holdings = [makeLicense(e3.skuId), makeLicense(audio.skuId)];
    expect(explainFailure({ result, holdings, catalogue, assigned: [] })).toMatchObject({
      kind: 'needed_by',
      held: true,
      products: [{ name: 'Microsoft 365 Audio Conferencing' }],
    });
  });

  it('names the plan not sold in the user country, and the country', () => {
    const detail = graphMessages.prohibitedUsageLocation(DEMO_PLANS.MCOPSTN1, 'BR');
    const result = failed(calling.skuId, 'usage_location_not_allowed', detail);
    expect(explainFailure({ result, holdings: [], catalogue, assigned: [] })).toEqual({
      kind: 'country',
      products: [],
      held: false,
      plans: ['Microsoft 365 Domestic Calling Plan'],
      country: 'BR',
    });
  });

  it('never names a plan or product by an id, even when the backend has no other name', () => {
    const bare = makeProduct({
      skuId: DEMO_SKUS.STANDARDPACK,
      name: DEMO_SKUS.STANDARDPACK,
      partNumber: 'STANDARDPACK',
      servicePlans: [{ id: DEMO_PLANS.SHAREPOINTSTANDARD, name: DEMO_PLANS.SHAREPOINTSTANDARD }],
    });
    const result = failed(e3.skuId, 'mutually_exclusive', exclusive);
    const explained = explainFailure({
      result,
      holdings: [makeLicense(bare.skuId)],
      catalogue: [bare, e3],
      assigned: [],
    });
    expect(explained?.products).toEqual([{ skuId: bare.skuId, name: 'STANDARDPACK' }]);
    const needs = failed(
      audio.skuId,
      'missing_prerequisite',
      graphMessages.dependency(DEMO_PLANS.MCOMEETADV, [DEMO_PLANS.SHAREPOINTSTANDARD]),
    );
    expect(
      explainFailure({ result: needs, holdings: [], catalogue: [bare, audio], assigned: [] })?.plans,
    ).toEqual([]);
  });

  it('explains nothing it cannot name: no ids, other reasons, plans unknown to the catalogue', () => {
    const unknown = graphMessages.exclusive(
      '00000000-0000-0000-0000-000000000001',
      '00000000-0000-0000-0000-000000000002',
    );
    const cases = [
      failed(
        e3.skuId,
        'mutually_exclusive',
        'License assignment failed because service plans are mutually exclusive.',
      ),
      failed(e3.skuId, 'mutually_exclusive', unknown),
      failed(e3.skuId, 'insufficient_licenses', graphMessages.noSeats(e3.skuId)),
      failed(e3.skuId, 'missing_prerequisite', ''),
    ];
    for (const result of cases) {
      expect(
        explainFailure({ result, holdings: [makeLicense(e1.skuId)], catalogue, assigned: [] }),
      ).toBeUndefined();
    }
  });
});
