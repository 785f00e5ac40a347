/**
 * The manage step's prediction equals the run's outcome, per failure reason, on the demo tenant's
 * scripted users: what an assign option says ("N would get it · M cannot: …") is read from the
 * view the operator sees, the request is submitted and run, and its results are counted.
 */
import type { Checkboxes, PlainTextOption } from '@slack/types';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { patterns } from '../../blocks/ids.js';
import type { PredictedReason } from '../../src/licensing/eligibility.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { type AppHarness, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import {
  blocksText,
  contosoOf,
  type current,
  finishedRun,
  present,
  selectUsers,
  submitChange,
} from './flow.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => reportAckLatencies('prediction.test.ts'));

/** The words of the option description for each reason (blocks/product-lines.ts). */
const WORDS: Record<string, PredictedReason> = {
  'no location': 'usage_location_missing',
  country: 'usage_location_not_allowed',
  'no seats': 'insufficient_licenses',
  'no base': 'missing_prerequisite',
  conflicts: 'mutually_exclusive',
};

interface Counts {
  gets: number;
  refused: Partial<Record<string, number>>;
}

/** "9 would get it · 5 cannot: 2 no location, 3 conflicts" → { gets: 9, refused: {…} }; "12 available · 4 would get it" too. */
function parseDescription(text: string): Counts {
  const gets = /(\d+) would get it/.exec(text);
  if (gets === null) throw new Error(`no prediction in "${text}"`);
  const refused: Partial<Record<string, number>> = {};
  const cannot = /\d+ cannot: (.*)$/.exec(text)?.[1];
  for (const part of cannot?.split(', ') ?? []) {
    const match = /^(\d+) (.+)$/.exec(part);
    const reason = WORDS[match?.[2] ?? ''];
    if (match === null || reason === undefined) throw new Error(`unreadable refusal "${part}" in "${text}"`);
    refused[reason] = Number(match[1]);
  }
  return { gets: Number(gets[1]), refused };
}

function assignDescription(view: ReturnType<typeof current>, skuId: string): string {
  const options = view.blocks
    .filter((b) => b.type === 'input' && patterns.assign.test(String(b.block_id)))
    .flatMap((b) => (b.element as Checkboxes).options as PlainTextOption[]);
  return present(options.find((o) => o.value === skuId)?.description?.text, `the assign option of ${skuId}`);
}

/** The run's assign results for `skuId`: successes, and failures by reason. */
function outcomeOf(request: ChangeRequest, skuId: string): Counts {
  const counts: Counts = { gets: 0, refused: {} };
  for (const result of Object.values(request.results)) {
    if (result.skuId !== skuId || result.op !== 'assign') continue;
    if (result.outcome === 'success') counts.gets++;
    if (result.outcome === 'failed') {
      const reason = result.reason ?? 'none';
      counts.refused[reason] = (counts.refused[reason] ?? 0) + 1;
    }
  }
  return counts;
}

/** Every scripted user of Contoso, each once. */
function scriptedUsers(harness: AppHarness) {
  const contoso = contosoOf(harness.data);
  const users = Object.values(demoCases(contoso));
  return { contoso, users: users.filter((u, i) => users.findIndex((v) => v.id === u.id) === i) };
}

describe('the prediction equals the outcome on the scripted users', () => {
  const products = {
    'Calling Plan (country, no base, no location)': DEMO_SKUS.MCOPSTN1,
    'Office 365 E3 (conflicts, no location)': DEMO_SKUS.ENTERPRISEPACK,
    'Microsoft 365 E5 (conflicts, no location)': DEMO_SKUS.SPE_E5,
    'Audio Conferencing (no base, no location)': DEMO_SKUS.MCOMEETADV,
    'Visio Plan 2 (no location only)': DEMO_SKUS.VISIOCLIENT,
  };
  const seen = new Set<string>();

  for (const [name, skuId] of Object.entries(products)) {
    it(name, async () => {
      h = await startAppHarness();
      const { contoso, users } = scriptedUsers(h);
      const manage = await selectUsers(h, contoso.customer, users);
      const predicted = parseDescription(assignDescription(manage, skuId));
      if (skuId === DEMO_SKUS.ENTERPRISEPACK) {
        // The product line names what is in the way, before anything is sent.
        expect(blocksText(manage.blocks)).toContain(
          'holding Office 365 E1, which cannot be combined with it',
        );
      }
      const submitted = await submitChange(h, manage.id, { assign: [skuId] });
      expect(submitted.responseAction).toBe('update');
      await finishedRun(h);
      const [request] = await h.store.listRequests({ limit: 1 });
      const stored = present(request && (await h.store.getRequest(request.id)), 'the request');
      expect(outcomeOf(stored, skuId)).toEqual(predicted);
      for (const reason of Object.keys(predicted.refused)) seen.add(reason);
    });
  }

  it('no seats: the step says the request cannot be met, and submitting it is refused before anything runs', async () => {
    h = await startAppHarness();
    const { contoso, users } = scriptedUsers(h);
    const manage = await selectUsers(h, contoso.customer, users);
    // Per user: those the seats cannot cover are "no seats" (was "Not enough: 0 available for N users").
    expect(assignDescription(manage, DEMO_SKUS.POWER_BI_PRO)).toMatch(
      /^0 would get it · \d+ cannot: .*\d+ no seats/,
    );
    const submitted = await submitChange(h, manage.id, { assign: [DEMO_SKUS.POWER_BI_PRO] });
    expect(submitted.responseAction).toBe('errors');
    expect(await h.store.listRequests({ limit: 10 })).toEqual([]);
  });

  it('seats that run out part-way: the users beyond them are "no seats", not the whole product', async () => {
    h = await startAppHarness({
      tenant: (data) => {
        const contoso = contosoOf(data);
        const e5 = present(
          contoso.products.find((p) => p.skuId === DEMO_SKUS.ENTERPRISEPREMIUM),
          'E5 at Contoso',
        );
        const holders = Object.values(contoso.holdings).filter((ls) =>
          ls.some((l) => l.skuId === e5.skuId),
        ).length;
        e5.prepaid = { enabled: holders + 2, warning: 0, suspended: 0 };
        return data;
      },
    });
    const contoso = contosoOf(h.data);
    const four = contoso.users
      .filter((u) => u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0)
      .slice(0, 4);
    expect(four).toHaveLength(4);
    const manage = await selectUsers(h, contoso.customer, four);
    // Was "Not enough: 2 available for 4 users".
    expect(assignDescription(manage, DEMO_SKUS.ENTERPRISEPREMIUM)).toBe(
      '2 would get it · 2 cannot: 2 no seats',
    );
    expect(blocksText(manage.blocks)).toContain('Cannot get it: 2 users beyond the seats left');
    // The plan still refuses a request its seats cannot cover, with the same numbers.
    const submitted = await submitChange(h, manage.id, { assign: [DEMO_SKUS.ENTERPRISEPREMIUM] });
    expect(submitted.responseAction).toBe('errors');
    expect(JSON.stringify(submitted.body)).toContain('4 needed, only 2 available');
  });

  it('covered every reason a scripted user is refused for before submitting', () => {
    expect([...seen].sort()).toEqual(
      [
        'missing_prerequisite',
        'mutually_exclusive',
        'usage_location_missing',
        'usage_location_not_allowed',
      ].sort(),
    );
  });
});
