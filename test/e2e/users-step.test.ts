import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ids, patterns } from '../../blocks/ids.js';
import {
  type AppHarness,
  OPERATOR,
  reportAckLatencies,
  startAppHarness,
  TEST_CUSTOMERS,
} from '../support/app-harness.js';
import { expectValidModal } from '../support/block-kit.js';
import {
  andWaitForUpdate,
  chooseCustomer,
  click,
  contosoOf,
  current,
  draftSelection,
  firstName,
  openLicenses,
  pageUserIds,
  pasteBox,
  present,
  textOf,
  tickPage,
} from './flow.js';

const ALLOWED = ['auth.test', 'views.open', 'views.update', 'views.push'];

let h: AppHarness;
beforeEach(async () => {
  h = await startAppHarness();
});
afterEach(async () => {
  await h.close();
});
afterAll(() => reportAckLatencies('users-step.test.ts'));

const viewText = (viewId: string) =>
  textOf([{ channel: '', ts: '', edits: 0, blocks: current(h, viewId).blocks }]);

async function atUsersStep(): Promise<string> {
  const root = await openLicenses(h);
  await chooseCustomer(h, root.id, 'Con', TEST_CUSTOMERS.contoso.id);
  return root.id;
}

let viewId = '';

describe('users step', () => {
  it('keeps the selection across First / Previous / Next / Last and select all on a page', async () => {
    viewId = await atUsersStep();
    const first = pageUserIds(current(h, viewId));
    expect(first).toHaveLength(10);
    await tickPage(h, viewId, first.slice(0, 2));

    await click(h, viewId, ids.actions.pageNext);
    expect(viewText(viewId)).toContain('Page 2 of 4');
    const second = pageUserIds(current(h, viewId));
    expect(second.some((id) => first.includes(id))).toBe(false);
    await click(h, viewId, ids.actions.selectPage);

    await click(h, viewId, ids.actions.pageLast);
    expect(viewText(viewId)).toContain('Page 4 of 4');
    const last = pageUserIds(current(h, viewId));
    await tickPage(h, viewId, last.slice(0, 1));

    await click(h, viewId, ids.actions.pagePrevious);
    expect(viewText(viewId)).toContain('Page 3 of 4');
    await click(h, viewId, ids.actions.pageFirst);
    expect(viewText(viewId)).toContain('Page 1 of 4');

    // Back on the first page its two ticks are still there, as initial options.
    const browse = current(h, viewId).blocks.find((b) => patterns.browseBlock.test(String(b.block_id)));
    const element = (browse?.elements as { initial_options?: { value: string }[] }[] | undefined)?.[0];
    expect(element?.initial_options?.map((o) => o.value).sort()).toEqual(first.slice(0, 2).sort());

    const expected = [...first.slice(0, 2), ...second, ...last.slice(0, 1)];
    expect(await draftSelection(h, viewId)).toEqual(expected.sort());
    expect(viewText(viewId)).toContain(`Selected: ${expected.length} users`);

    // Unticking one of the page keeps the rest of the selection.
    await tickPage(h, viewId, first.slice(0, 1));
    expect(await draftSelection(h, viewId)).toHaveLength(expected.length - 1);

    await click(h, viewId, ids.actions.clearSelection);
    expect(await draftSelection(h, viewId)).toEqual([]);
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
  });

  it('filters the browser with its search box', async () => {
    viewId = await atUsersStep();
    const contoso = contosoOf(h.data);
    const someone = present(contoso.users[20], 'a 21st user');
    const prefix = firstName(someone);
    await andWaitForUpdate(h, viewId, () =>
      h.driver.blockActions({
        userId: OPERATOR,
        viewId,
        actions: [{ actionId: ids.actions.browseQuery, value: prefix }],
      }),
    );
    expect(pageUserIds(current(h, viewId))).toContain(someone.id);
    expect(viewText(viewId)).toContain('matching user');
  });

  it('adds pasted e-mails and lists the ones that match nobody', async () => {
    viewId = await atUsersStep();
    const contoso = contosoOf(h.data);
    const known = contoso.users.slice(3, 6);
    const [fourth, fifth, sixth] = known;
    assert(fourth && fifth && sixth);
    const pasted = [
      fourth.email,
      `${fifth.displayName} <${fifth.email.toUpperCase()}>`,
      'nobody@contoso.com',
      sixth.email,
      'ghost@elsewhere.example',
    ].join(',\n');
    const pasteBlock = pasteBox(h, viewId);
    h.fake.enterValues(viewId, {
      [String(pasteBlock.block_id)]: { [ids.actions.pasteEmails]: { value: pasted } },
    });
    await click(h, viewId, ids.actions.addEmails);

    expect(await draftSelection(h, viewId)).toEqual(known.map((u) => u.id).sort());
    const text = viewText(viewId);
    expect(text).toContain('2 pasted e-mails matched no user');
    expect(text).toContain('nobody@contoso.com');
    expect(text).toContain('ghost@elsewhere.example');
    // The paste box was emptied (new block id).
    const newPaste = pasteBox(h, viewId);
    expect(newPaste.block_id).not.toBe(pasteBlock.block_id);
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
  });

  it('pushes the whole sorted selection when it is long', async () => {
    viewId = await atUsersStep();
    for (let page = 0; page < 3; page++) {
      await click(h, viewId, ids.actions.selectPage);
      await click(h, viewId, ids.actions.pageNext);
    }
    expect(await draftSelection(h, viewId)).toHaveLength(30);
    await h.driver.blockActions({
      userId: OPERATOR,
      viewId,
      actions: [{ actionId: ids.actions.viewSelected }],
    });
    const pushed = await h.fake.waitFor(() => {
      const stack = h.fake.stackOf(viewId);
      const top = stack[1];
      return stack.length === 2 && top !== undefined ? h.fake.view(top) : undefined;
    });
    expectValidModal(pushed.definition);
    expect(pushed.callbackId).toBe(ids.views.selected);
    const contoso = contosoOf(h.data);
    const selected = new Set(await draftSelection(h, viewId));
    const names = contoso.users.filter((u) => selected.has(u.id)).map((u) => u.displayName);
    const pushedText = textOf([{ channel: '', ts: '', edits: 0, blocks: pushed.blocks }]);
    const positions = names.sort((a, b) => a.localeCompare(b)).map((name) => pushedText.indexOf(name));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(textOf([{ channel: '', ts: '', edits: 0, blocks: pushed.blocks }])).toContain('30');
    expect(h.fake.unexpectedCalls(ALLOWED)).toEqual([]);
  });

  it('refuses Next without a selection', async () => {
    viewId = await atUsersStep();
    const submitted = await h.driver.viewSubmission({ userId: OPERATOR, viewId });
    expect(submitted.responseAction).toBe('update');
    expect(current(h, viewId).callbackId).toBe(ids.views.users);
    expect(viewText(viewId)).toContain('Select at least one user');
  });

  it('adds e-mails left in the paste box when Next is pressed, and stays to show them', async () => {
    viewId = await atUsersStep();
    const someone = present(contosoOf(h.data).users[0], 'a user');
    const pasteBlock = pasteBox(h, viewId);
    const submitted = await h.driver.viewSubmission({
      userId: OPERATOR,
      viewId,
      values: {
        [String(pasteBlock.block_id)]: {
          [ids.actions.pasteEmails]: { value: `${someone.email} nobody@x.org` },
        },
      },
    });
    expect(submitted.responseAction).toBe('update');
    expect(current(h, viewId).callbackId).toBe(ids.views.users);
    expect(await draftSelection(h, viewId)).toEqual([someone.id]);
    expect(viewText(viewId)).toContain('nobody@x.org');
  });

  it('re-renders from the draft when two clicks race for the same view hash', async () => {
    viewId = await atUsersStep();
    const before = current(h, viewId).updates;
    await Promise.all([
      h.driver.blockActions({ userId: OPERATOR, viewId, actions: [{ actionId: ids.actions.pageNext }] }),
      h.driver.blockActions({ userId: OPERATOR, viewId, actions: [{ actionId: ids.actions.pageNext }] }),
    ]);
    await h.fake.waitFor(() => current(h, viewId).updates >= before + 2);
    // Both buttons named page 2: a double click goes where the button said, not one page further.
    await h.fake.waitFor(() => viewText(viewId).includes('Page 2 of 4'));
    // Both payloads carried the same hash: one update wins, the other is refused and re-rendered.
    expect(h.fake.calls.filter((call) => !call.ok).map((call) => call.error)).toEqual(['hash_conflict']);
    expect(h.fake.unexpectedCalls(ALLOWED, { failedAllowed: true })).toEqual([]);
  });
});
