/**
 * What the operator reads after a run on the demo tenant's scripted users, over signed HTTP with
 * the Slack fake (issue 13, items 1 and 2): no service-plan or SKU id anywhere in what is posted,
 * though the provider's refusals name them; one section per product × reason with its users; what
 * blocked them named from the catalogue; the fix where there is one.
 */
import { describe, expect, it } from 'vitest';
import type { ChangeRequest, TenantUser } from '../../src/licensing/model.js';
import { DEMO_SKUS, type DemoCases, demoCases } from '../../src/providers/demo/generator.js';
import { type HarnessOptions, startAppHarness } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import {
  blocksText,
  contosoOf,
  FLOW_CALLS,
  finishedRun,
  present,
  selectUsers,
  submitChange,
  withCaller,
} from './flow.js';

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

interface Run {
  /** Every text posted in the channel (summary and thread: notification texts and block texts). */
  posted: string[];
  /** The thread's sections that start a group of failures. */
  groups: string[];
  request: ChangeRequest;
}

/** Runs one request for the chosen users and reads everything posted about it. */
async function runFor(
  users: (
    cases: DemoCases,
    all: readonly TenantUser[],
    holds: (u: TenantUser, sku: string) => boolean,
  ) => TenantUser[],
  change: { assign?: string[]; revoke?: string[] },
  options: HarnessOptions = {},
): Promise<Run> {
  const h = closedAfterTest(await startAppHarness(options));
  const contoso = contosoOf(h.data);
  const holds = (u: TenantUser, sku: string) => (contoso.holdings[u.id] ?? []).some((l) => l.skuId === sku);
  const chosen = users(demoCases(contoso), contoso.users, holds);
  const manage = await selectUsers(h, contoso.customer, chosen);
  expect((await submitChange(h, manage.id, change)).responseAction).toBe('update');
  const { summary, thread } = await finishedRun(h);
  expect(h.fake.unexpectedCalls(FLOW_CALLS)).toEqual([]);
  const posted = [summary, ...thread].flatMap((m) => [m.text ?? '', blocksText(m.blocks)]);
  const groups = thread
    .flatMap((m) => m.blocks ?? [])
    .flatMap((b) => {
      const block = b as { type?: string; text?: { text?: string } };
      return block.type === 'section' && typeof block.text?.text === 'string' ? [block.text.text] : [];
    })
    .filter((text) => text.startsWith(':x:'));
  const [header] = await h.store.listRequestHeaders({ limit: 1 });
  const request = await h.store.getRequest(header?.id ?? '');
  if (!request) throw new Error('no request stored');
  return { posted, groups, request };
}

/** The provider named ids in these failures (so the check below is not vacuous), and nothing posted does. */
function expectNoIdsPosted(run: Run, failures: number): void {
  const named = Object.values(run.request.results).filter(
    (r) => r.outcome === 'failed' && GUID.test(r.detail ?? ''),
  );
  expect(named.length).toBeGreaterThanOrEqual(failures);
  for (const text of run.posted) expect(text).not.toMatch(GUID);
}

const groupOf = (run: Run, words: string) => {
  const found = run.groups.filter((g) => g.includes(words));
  expect(found, `one group saying "${words}"`).toHaveLength(1);
  return found[0] ?? '';
};

describe('the thread in plain words, grouped by cause', () => {
  it('seven E1 holders blocked from Office 365 E3 are one paragraph naming E1, in one section with another clash; the users without a location get the fix', async () => {
    let e1Holders: TenantUser[] = [];
    let basic: TenantUser | undefined;
    let noLocation: TenantUser[] = [];
    const run = await runFor(
      (cases, all, holds) => {
        // Holders of E1 and nothing else that clashes with E3's SharePoint.
        e1Holders = all
          .filter((u) => u.usageLocation !== null && holds(u, DEMO_SKUS.STANDARDPACK))
          .filter((u) => !holds(u, DEMO_SKUS.MCOMEETADV))
          .slice(0, 7);
        basic = all.find((u) => u.usageLocation !== null && holds(u, DEMO_SKUS.O365_BUSINESS_ESSENTIALS));
        noLocation = all.filter((u) => u.usageLocation === null);
        return [...e1Holders, present(basic, 'a Business Basic holder'), ...noLocation, cases.unlicensed];
      },
      { assign: [DEMO_SKUS.ENTERPRISEPACK] },
    );
    expect(e1Holders).toHaveLength(7);
    expect(noLocation).toHaveLength(2);
    expectNoIdsPosted(run, 8);
    expect(run.groups).toHaveLength(2);

    const conflict = groupOf(run, 'could not be assigned to 8 users');
    const lines = conflict.split('\n');
    expect(lines).toContain('• 7 of them have *Office 365 E1*.');
    expect(lines).toContain('• 1 of them has *Microsoft 365 Business Basic*.');
    expect(conflict).toContain(
      '*Fix:* remove *Microsoft 365 Business Basic* or *Office 365 E1* (whichever they have) from them, or replace it with *Office 365 E3*',
    );
    // The seven are one paragraph, right under their line, sorted by name.
    const paragraph = lines[lines.indexOf('• 7 of them have *Office 365 E1*.') + 1] ?? '';
    const names = e1Holders
      .map((u) => u.displayName)
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    const positions = names.map((name) => paragraph.indexOf(name));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(lines[lines.indexOf('• 1 of them has *Microsoft 365 Business Basic*.') + 1]).toContain(
      basic?.displayName,
    );

    const location = groupOf(run, 'could not be assigned to 2 users');
    expect(location).toContain('`usageLocation`');
    expect(location).toContain(
      'Microsoft 365 admin center, Users › Active users › the user › Manage contact information › Usage location',
    );
    for (const user of noLocation) expect(location).toContain(user.displayName);
  });

  it('a Calling Plan: the country it is not sold in, the product it needs, a missing location, each its own section', async () => {
    let abroad: TenantUser | undefined;
    let unlicensed: TenantUser | undefined;
    // One user who gets it: a request whose every change would fail cannot be submitted.
    let callerId = '';
    const run = await runFor(
      (cases, all) => {
        abroad = cases.outsideCallingPlanCountries;
        unlicensed = cases.unlicensed;
        const caller = present(
          all.find((u) => u.id === callerId),
          'the caller',
        );
        return [abroad, unlicensed, cases.noUsageLocation, caller];
      },
      { assign: [DEMO_SKUS.MCOPSTN1] },
      {
        tenant: (data) => {
          const given = withCaller(data);
          callerId = given.callerId;
          return given.data;
        },
      },
    );
    expectNoIdsPosted(run, 2);
    expect(run.groups).toHaveLength(3);
    const country = groupOf(run, `could not be assigned to ${abroad?.displayName}`);
    expect(country).toContain(`Microsoft 365 Domestic Calling Plan is not sold in ${abroad?.usageLocation}`);
    expect(country).toContain('with Microsoft 365 Domestic Calling Plan turned off.');
    const needs = groupOf(run, `could not be assigned to ${unlicensed?.displayName}`);
    expect(needs).toContain(
      `It needs Microsoft 365 Phone System, which ${unlicensed?.displayName} does not have.`,
    );
    expect(needs).toMatch(/\*Fix:\* assign .*\*Office 365 E5\*.* first/);
    groupOf(run, 'Users › Active users');
  });

  it('revocations: a group license says to change the group; a base product names the add-on that needs it', async () => {
    let inherited: TenantUser | undefined;
    let base: TenantUser | undefined;
    const run = await runFor(
      (cases) => {
        inherited = cases.groupInherited;
        base = cases.baseWithAddOn;
        // One user whose direct EMS goes: a request whose every change would fail cannot be submitted.
        return [inherited, base, cases.directAndGroup];
      },
      { revoke: [DEMO_SKUS.ENTERPRISEPACK, DEMO_SKUS.EMS] },
    );
    expectNoIdsPosted(run, 1);
    const group = groupOf(run, `could not be revoked from ${inherited?.displayName}`);
    expect(group).toContain("change the group's licenses");
    const addOn = groupOf(run, `could not be revoked from ${base?.displayName}`);
    expect(addOn).toContain(`${base?.displayName} has *Microsoft 365 Audio Conferencing*, which needs`);
    expect(addOn).toContain(
      '*Fix:* revoke *Microsoft 365 Audio Conferencing* in the same request, or keep *Office 365 E3*.',
    );
  });
});

describe('request ids', () => {
  it('stay out of the thread but for its context line', async () => {
    const run = await runFor((cases) => [cases.noUsageLocation, cases.unlicensed], {
      assign: [DEMO_SKUS.ENTERPRISEPACK],
    });
    const id = run.request.id;
    expect(run.groups.join('\n')).not.toContain(id);
    expect(run.posted.some((text) => text.includes(`Request ${id}`))).toBe(true);
  });
});
