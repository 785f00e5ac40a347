/**
 * The manage step's prediction equals the run's outcome, per failure reason, on the demo tenant's
 * scripted users: what an assign option says ("N would get it · M cannot: …") is read from the
 * view the operator sees, the request is submitted and run, and its results are counted. Seats
 * too: a request its seats cannot cover runs, and the users beyond the seats fail "no seats".
 */
import type { Checkboxes, PlainTextOption } from '@slack/types';
import { afterAll, describe, expect, it } from 'vitest';
import { patterns } from '../../blocks/ids.js';
import type { PredictedReason } from '../../src/licensing/eligibility.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { DEMO_SKUS, demoCases } from '../../src/providers/demo/generator.js';
import { type AppHarness, reportAckLatencies, startAppHarness } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  blocksText,
  contosoOf,
  current,
  finishedRun,
  present,
  selectUsers,
  startWithCaller,
  submitChange,
  textOf,
  toPreview,
  withSeatsLeft,
} from './flow.js';

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

const BUY = 'https://partner.example.com/buy';

/** The URLs of the manage step's "Buy more" buttons. */
function buyMoreUrls(view: ReturnType<typeof current>): string[] {
  return view.blocks.flatMap((b) => {
    const elements = [
      ...((b.elements as { action_id?: string; url?: string }[] | undefined) ?? []),
      ...(b.accessory ? [b.accessory as { action_id?: string; url?: string }] : []),
    ];
    return elements.filter((e) => patterns.buyMore.test(e.action_id ?? '')).map((e) => e.url ?? '');
  });
}

/** Submits the step assigning `skuId`, waits for the run; its counts, summary text and thread text. */
async function submitAndCount(harness: AppHarness, viewId: string, skuId: string) {
  const submitted = await submitChange(harness, viewId, { assign: [skuId] });
  expect(submitted.responseAction).toBe('update');
  const { summary, thread } = await finishedRun(harness);
  const [request] = await harness.store.listRequests({ limit: 1 });
  const stored = present(request && (await harness.store.getRequest(request.id)), 'the request');
  return { counts: outcomeOf(stored, skuId), summary: textOf([summary]), thread: textOf(thread) };
}

/** Every scripted user of Contoso, each once, and the users `extra` names. */
function scriptedUsers(harness: AppHarness, extra: readonly string[] = []) {
  const contoso = contosoOf(harness.data);
  const users = [...Object.values(demoCases(contoso)), ...contoso.users.filter((u) => extra.includes(u.id))];
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
      const { h, callerId } = await startWithCaller();
      const { contoso, users } = scriptedUsers(h, skuId === DEMO_SKUS.MCOPSTN1 ? [callerId] : []);
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

  it('no seats (Power BI Pro, none left): every change would fail, so its preview cannot be submitted', async () => {
    const h = closedAfterTest(await startAppHarness({ env: { PURCHASE_URL: BUY } }));
    const { contoso, users } = scriptedUsers(h);
    const manage = await selectUsers(h, contoso.customer, users);
    // Per user: those the seats cannot cover are "no seats" (was "Not enough: 0 available for N users").
    const description = assignDescription(manage, DEMO_SKUS.POWER_BI_PRO);
    expect(description).toMatch(/^0 would get it · \d+ cannot: .*\d+ no seats/);
    expect(buyMoreUrls(manage)).toContain(BUY);
    const answer = await toPreview(h, manage.id, { assign: [DEMO_SKUS.POWER_BI_PRO] });
    expect(answer.responseAction).toBe('update');
    const preview = current(h, manage.id);
    expect(preview.definition.submit).toBeUndefined();
    const { refused } = parseDescription(description);
    expect(blocksText(preview.blocks)).toContain(`${refused.insufficient_licenses} beyond the seats left`);
    expect(blocksText(preview.blocks)).toContain('is expected to fail*, so submitting would change nothing');
    expect(await h.store.listRequests({ limit: 10 })).toEqual([]);
  });

  it('seats that run out part-way: the first users get it, those beyond fail "no seats", as predicted', async () => {
    const h = closedAfterTest(
      await startAppHarness({
        env: { PURCHASE_URL: BUY },
        tenant: (data) => withSeatsLeft(data, DEMO_SKUS.ENTERPRISEPREMIUM, 2),
      }),
    );
    const contoso = contosoOf(h.data);
    const four = contoso.users
      .filter((u) => u.usageLocation !== null && (contoso.holdings[u.id] ?? []).length === 0)
      .slice(0, 4);
    expect(four).toHaveLength(4);
    const manage = await selectUsers(h, contoso.customer, four);
    // Was "Not enough: 2 available for 4 users".
    const description = assignDescription(manage, DEMO_SKUS.ENTERPRISEPREMIUM);
    expect(description).toBe('2 would get it · 2 cannot: 2 no seats');
    expect(blocksText(manage.blocks)).toContain('Cannot get it: 2 users beyond the seats left');
    expect(buyMoreUrls(manage)).toContain(BUY);
    // Submitted, it runs (was refused: "4 needed, only 2 available"): 2 assigned, 2 "no seats".
    const outcome = await submitAndCount(h, manage.id, DEMO_SKUS.ENTERPRISEPREMIUM);
    expect(outcome.counts).toEqual(parseDescription(description));
    expect(outcome.counts).toEqual({ gets: 2, refused: { insufficient_licenses: 2 } });
    seen.add('insufficient_licenses');
    expect(outcome.summary).toContain('2 succeeded · 0 no change · :x: 2 failed');
    // One group for the users beyond the seats, with its fix.
    expect(outcome.thread).toContain(':x: *Office 365 E5* could not be assigned to 2 users.');
    expect(outcome.thread).toContain(`<${BUY}|buy more seats of Office 365 E5>`);
    expect(h.provider.productOf(contoso.customer.id, DEMO_SKUS.ENTERPRISEPREMIUM)?.available).toBe(0);
  });

  it('covered every reason a scripted user is refused for before submitting', () => {
    expect([...seen].sort()).toEqual(
      [
        'insufficient_licenses',
        'missing_prerequisite',
        'mutually_exclusive',
        'usage_location_missing',
        'usage_location_not_allowed',
      ].sort(),
    );
  });
});
