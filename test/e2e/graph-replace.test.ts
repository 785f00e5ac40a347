/**
 * "Replace A with B" end to end with LICENSE_PROVIDER=graph, against the local Graph fake over
 * real HTTP: one assignLicense per holder of A with B added and A removed, nothing for a user
 * without A, and a refused call (no usage location) leaving the user with A, reported with both
 * products. The preview's line, read before submitting, says what the run then does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { reasonWords } from '../../blocks/preview.js';
import type { ChangeRequest } from '../../src/licensing/model.js';
import { PREVIEW_REASONS } from '../../src/licensing/preview.js';
import { reportAckLatencies, startGraphApp } from '../support/app-harness.js';
import { closedAfterTest } from '../support/closed-after-test.js';
import { makeTenant, SKU } from '../support/graph-fake/index.js';
import {
  blocksText,
  confirm,
  current,
  finishedRun,
  present,
  selectUsers,
  showsPreview,
  textOf,
} from './flow.js';
import { previewReplace } from './replace-flow.js';

const TENANT = '9d4f0000-0000-4000-8000-000000000002';
const GROUP = '0a0a0a0a-0000-4000-8000-00000000f00d';

/** Changes, no-ops and failures per reason, as counted by the preview's line or by the run. */
type Tally = Record<string, number>;

/** The counts of the preview's "Replace … with Office 365 E3" line, from its text. */
function previewTally(line: string): Tally {
  const tally: Tally = {
    change: Number(/(\d+) will change/.exec(line)?.[1] ?? 0),
    noop: Number(/(\d+) do not have it: nothing to replace/.exec(line)?.[1] ?? 0),
  };
  for (const reason of PREVIEW_REASONS) {
    const n = new RegExp(`(\\d+) ${reasonWords(reason, 'replace')}`).exec(line)?.[1];
    if (n !== undefined) tally[reason] = Number(n);
  }
  return tally;
}

/** The same counts from the run's results of the revoke of `from`, one per user. */
function runTally(request: ChangeRequest, from: string): Tally {
  const tally: Tally = { change: 0, noop: 0 };
  for (const result of Object.values(request.results)) {
    if (result.op !== 'revoke' || result.skuId !== from) continue;
    const key =
      result.outcome === 'success' ? 'change' : result.outcome === 'noop' ? 'noop' : (result.reason ?? '?');
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

afterAll(() => reportAckLatencies('graph-replace.test.ts'));

describe('replace A with B on Microsoft Graph', () => {
  it('previews the line the run then makes: E3 added and E1 removed in one assignLicense per holder of E1, none for a user without it', async () => {
    const tenant = makeTenant({ tenantId: TENANT, users: 30, name: 'Contoso' });
    const { users } = tenant;
    const [ada, second] = [present(users[0], 'user 0'), present(users[1], 'user 1')];
    const unlocated = present(users[9], 'user 9'); // no usage location: E3 cannot be assigned
    const without = present(users[2], 'user 2');
    const viaGroup = present(users[3], 'user 3'); // E1 only through a group: it cannot be taken away
    for (const holder of [ada, second, unlocated]) {
      holder.licenses = [{ skuId: SKU.E1, disabledPlans: [], assignedByGroup: null }];
    }
    viaGroup.licenses = [{ skuId: SKU.E1, disabledPlans: [], assignedByGroup: GROUP }];
    const h = closedAfterTest(await startGraphApp({ fake: { tenants: [tenant] } }));
    const { graph } = h;

    const selected = [ada, second, unlocated, without, viaGroup];
    const manage = await selectUsers(h, { id: TENANT, name: 'Contoso' }, selected);
    const previewed = await previewReplace(h, manage.id, { from: SKU.E1, to: SKU.E3 });
    expect(previewed.responseAction).toBe('update');
    const preview = current(h, manage.id);
    expect(showsPreview(preview)).toBe(true);
    // Nothing is asked of Graph before the operator confirms.
    expect(graph.requests.filter((r) => r.method === 'POST')).toEqual([]);
    // The replacement is one line of the preview, not an assign and a revoke.
    const lines = preview.blocks
      .map((block) => blocksText([block.text]))
      .filter((text) => /^\*(Assign|Revoke|Replace) /.test(text));
    expect(lines).toEqual([
      '*Replace Office 365 E1 with Office 365 E3*\n2 will change · 1 do not have it: nothing to replace · ' +
        ':x: 2 will fail: 1 no usage location, 1 have it through a group',
    ]);
    const line = present(lines[0], 'the line of the replacement');
    expect(blocksText(preview.blocks)).toContain(
      '*5 users:* 2 changes · 1 no change · :x: 2 expected to fail',
    );

    expect((await confirm(h, manage.id)).responseAction).toBe('update');
    const { summary, thread } = await finishedRun(h);
    const [header] = await h.store.listRequestHeaders({ limit: 1 });
    const request = present(await h.store.getRequest(header?.id ?? ''), 'the request');
    expect(runTally(request, SKU.E1)).toEqual(previewTally(line));
    expect(textOf([summary])).toMatch(
      /Replace \*Office 365 E1\* with \*Office 365 E3\*: 4 users \(1 does not have/,
    );
    const threadText = textOf(thread);
    expect(threadText).toMatch(/Replaced \*Office 365 E1\* with \*Office 365 E3\* for 2 users/);
    expect(threadText).toContain(`with *Office 365 E3* for ${unlocated.displayName}`);
    expect(threadText).toContain('Could not replace');
    expect(threadText).toContain('Nothing to replace');

    const skus = (id: string) => graph.user(TENANT, id).licenses.map((l) => l.skuId);
    expect(skus(ada.id)).toEqual([SKU.E3]);
    expect(skus(second.id)).toEqual([SKU.E3]);
    expect(skus(unlocated.id)).toEqual([SKU.E1]);
    expect(skus(without.id)).toEqual([]);
    expect(graph.user(TENANT, viaGroup.id).licenses).toEqual([
      { skuId: SKU.E1, disabledPlans: [], assignedByGroup: GROUP },
    ]);
    const posts = graph.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path).sort()).toEqual(
      [ada, second, unlocated].map((u) => `/users/${u.id}/assignLicense`).sort(),
    );
    for (const post of posts) {
      expect(post.body).toEqual({
        addLicenses: [{ skuId: SKU.E3, disabledPlans: [] }],
        removeLicenses: [SKU.E1],
      });
    }
    expect(h.logger.errors()).toEqual([]);
  });
});
