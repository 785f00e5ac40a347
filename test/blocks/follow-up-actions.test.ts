import type { ActionsBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { approvalSummaryLines } from '../../blocks/approval-request.js';
import { followUpActions } from '../../blocks/follow-up-actions.js';
import { renderFollowUpModal } from '../../blocks/follow-up-modal.js';
import { ids } from '../../blocks/ids.js';
import { renderRunSummary } from '../../blocks/run-summary.js';
import { type ChangeRequest, failureMessages, type ItemResult } from '../../src/licensing/model.js';
import { resultKey } from '../../src/licensing/result-key.js';
import { validateMessageBlocks } from '../support/block-kit.js';
import {
  makeApproval,
  makeChangeRequest,
  makeItem,
  makeResult,
  makeUser,
} from '../support/licensing-factories.js';
import { expectFits, sectionTexts } from '../support/view-checks.js';

const users = Array.from({ length: 4 }, (_, i) => makeUser({ id: `u${i}`, displayName: `User ${i}` }));

/** Office 365 E3 assigned to four users: u0 throttled, u1 refused for a lasting reason, the rest succeeded. */
function finished(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  const results: ItemResult[] = users.map((u, i) =>
    makeResult({
      userId: u.id,
      skuId: 'e3',
      outcome: i < 2 ? 'failed' : 'success',
      ...(i === 0
        ? { reason: 'throttled' as const }
        : i === 1
          ? { reason: 'mutually_exclusive' as const }
          : {}),
    }),
  );
  return makeChangeRequest({
    id: 'req_orig',
    status: 'completed',
    customerName: 'Contoso',
    products: [{ skuId: 'e3', name: 'Office 365 E3' }],
    items: users.map((u) => makeItem(u, { assign: [{ skuId: 'e3', disabledPlans: [] }] })),
    results: Object.fromEntries(results.map((r) => [resultKey(r.userId, r.skuId, r.op), r])),
    ...overrides,
  });
}

function actionsOf(blocks: readonly KnownBlock[]): ActionsBlock | undefined {
  return blocks.find(
    (b): b is ActionsBlock => b.type === 'actions' && b.block_id === ids.blocks.followUpActions,
  );
}

describe('follow-up actions on the summary', () => {
  it('offers "Retry failed (N)" on a completed request with retryable failures, its value the request id only', () => {
    const message = renderRunSummary({ request: finished() });
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    const buttons = actionsOf(message.blocks)?.elements ?? [];
    expect(buttons).toHaveLength(1);
    expect(buttons[0]).toMatchObject({
      action_id: ids.actions.retryFailed,
      text: { text: 'Retry failed (1)' },
      value: 'req_orig',
    });
  });

  it('offers nothing while it runs, or when nothing failed for a reason a retry gets past', () => {
    expect(followUpActions(finished({ status: 'running' }))).toBeNull();
    const lasting = finished();
    lasting.results = Object.fromEntries(
      Object.entries(lasting.results).filter(([, r]) => r.reason !== 'throttled'),
    );
    expect(followUpActions(lasting)).toBeNull();
    expect(actionsOf(renderRunSummary({ request: lasting }).blocks)).toBeUndefined();
  });

  it('heads a retry\'s summary and approval message "Retry of" the original, linked to its summary', () => {
    const retry = finished({
      id: 'req_retry',
      status: 'pending_approval',
      followUpOf: { kind: 'retry', requestId: 'req_orig', summaryLink: 'https://t.slack.com/archives/C1/p1' },
    });
    const message = renderRunSummary({ request: retry });
    expect(validateMessageBlocks(message.blocks)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain(
      '*Retry* of <https://t.slack.com/archives/C1/p1|license request req_orig>',
    );
    expect(message.text).toMatch(/^Retry for Contoso/);
    const lines = approvalSummaryLines(retry, makeApproval({ requestId: 'req_retry' }));
    expect(lines.join('\n')).toContain(
      '*Retry* of <https://t.slack.com/archives/C1/p1|license request req_orig>.',
    );
    const unlinked = renderRunSummary({
      request: { ...retry, followUpOf: { kind: 'retry', requestId: 'req_orig' } },
    });
    expect(JSON.stringify(unlinked.blocks)).toContain('*Retry* of license request req_orig by');
  });
});

describe('the retry modal', () => {
  const retried = Object.values(finished().results).filter((r) => r.reason === 'throttled');

  it('lists what is sent again by product and reason, the counts planned now, and an optional reason', () => {
    const view = renderFollowUpModal({
      kind: 'retry',
      draftId: 'drf_1',
      original: finished(),
      summaryLink: 'https://t.slack.com/archives/C1/p1',
      retried,
      planned: { assignments: 1, planChanges: 0, revocations: 0, noops: 0 },
      needsApproval: false,
      breakGlass: true,
      failureMessages,
    });
    expectFits(view);
    expect(view.callback_id).toBe(ids.views.followUp);
    expect(view.submit?.text).toBe('Retry');
    expect(JSON.parse(view.private_metadata ?? '{}')).toEqual({ draftId: 'drf_1' });
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('<https://t.slack.com/archives/C1/p1|license request req_orig>');
    expect(text).toContain('*1 change to try again:*');
    expect(text).toContain('*Office 365 E3* · the licensing service kept throttling the request');
    expect(text).not.toContain('cannot be combined');
    expect(JSON.stringify(view.blocks)).toContain('1 license to assign');
    const reason = view.blocks.find((b) => b.block_id === ids.blocks.reason);
    expect(reason).toMatchObject({ type: 'input', optional: true });
    expect(view.blocks.some((b) => b.block_id === ids.blocks.breakGlass)).toBe(false);
  });

  it('asks for a reason and offers break-glass when the retry needs approval', () => {
    const view = renderFollowUpModal({
      kind: 'retry',
      draftId: 'drf_2',
      original: finished(),
      retried,
      planned: { assignments: 0, planChanges: 0, revocations: 12, noops: 2 },
      needsApproval: true,
      approvalReason: 'it revokes 12 licenses, and revoking 10 or more needs approval.',
      breakGlass: true,
    });
    expectFits(view);
    expect(view.submit?.text).toBe('Request approval');
    expect(sectionTexts(view).join('\n')).toContain("needs a manager's approval:* it revokes 12 licenses");
    expect(JSON.stringify(view.blocks)).toContain('12 licenses to revoke · 2 done by now (no change)');
    expect(view.blocks.find((b) => b.block_id === ids.blocks.reason)).toMatchObject({ optional: false });
    expect(view.blocks.some((b) => b.block_id === ids.blocks.breakGlass)).toBe(true);
  });

  it("stays within Slack's limits for a retry of thousands of failures across many products", () => {
    const many = Array.from({ length: 3000 }, (_, i) => makeUser({ id: `m${i}` }));
    const products = Array.from({ length: 60 }, (_, p) => ({
      skuId: `sku${p}`,
      name: `Product ${p} ${'x'.repeat(60)}`,
    }));
    const items = many.map((u, i) => makeItem(u, { assign: [{ skuId: `sku${i % 60}`, disabledPlans: [] }] }));
    const failures = many.map((u, i) =>
      makeResult({
        userId: u.id,
        skuId: `sku${i % 60}`,
        outcome: 'failed',
        reason: i % 2 ? 'throttled' : 'provider_error',
      }),
    );
    const view = renderFollowUpModal({
      kind: 'retry',
      draftId: 'drf_3',
      original: finished({ products, items, results: {} }),
      retried: failures,
      planned: { assignments: 3000, planChanges: 0, revocations: 0, noops: 0 },
      needsApproval: false,
      failureMessages,
    });
    expectFits(view);
    expect(sectionTexts(view).join('\n')).toContain('more cause');
  });
});

describe('undo on the summary and its modal', () => {
  const FINISHED = '2026-03-01T09:00:00.000Z';
  const at = (iso: string) => Date.parse(iso);

  it('offers "Undo" beside "Retry failed" until UNDO_DAYS after the request finished, its value the request id only', () => {
    const request = finished({ finishedAt: FINISHED });
    const open = renderRunSummary({ request, undoDays: 30, now: at('2026-03-31T08:59:00.000Z') });
    expect(validateMessageBlocks(open.blocks)).toEqual([]);
    const buttons = actionsOf(open.blocks)?.elements ?? [];
    expect(buttons.map((b) => (b as { action_id?: string }).action_id)).toEqual([
      ids.actions.retryFailed,
      ids.actions.undo,
    ]);
    expect(buttons[1]).toMatchObject({ text: { text: 'Undo' }, value: 'req_orig' });
    const closed = renderRunSummary({ request, undoDays: 30, now: at('2026-03-31T09:00:00.000Z') });
    expect(actionsOf(closed.blocks)?.elements.map((b) => (b as { action_id?: string }).action_id)).toEqual([
      ids.actions.retryFailed,
    ]);
    // Without UNDO_DAYS (or a time) the summary cannot tell, and offers no Undo.
    expect(JSON.stringify(renderRunSummary({ request }).blocks)).not.toContain(ids.actions.undo);
  });

  it('offers no Undo when nothing succeeded, nor while the request runs', () => {
    const failedOnly = finished({ finishedAt: FINISHED });
    failedOnly.results = Object.fromEntries(
      Object.entries(failedOnly.results).filter(([, r]) => r.outcome !== 'success'),
    );
    const now = at(FINISHED) + 1000;
    expect(followUpActions(failedOnly, { undoDays: 30, now })?.elements).toHaveLength(1);
    expect(
      followUpActions(finished({ status: 'running', finishedAt: FINISHED }), { undoDays: 30, now }),
    ).toBeNull();
  });

  it('heads an undo "Undo of" the original', () => {
    const undo = finished({ id: 'req_undo', followUpOf: { kind: 'undo', requestId: 'req_orig' } });
    const message = renderRunSummary({ request: undo });
    expect(JSON.stringify(message.blocks)).toContain('*Undo* of license request req_orig');
    expect(message.text).toMatch(/^Undo for Contoso/);
  });

  it('lists what is put back per product, and stays within limits for thousands of users on many products', () => {
    const view = renderFollowUpModal({
      kind: 'undo',
      draftId: 'drf_u',
      original: finished({
        products: [
          { skuId: 'e3', name: 'Office 365 E3' },
          { skuId: 'visio', name: 'Visio' },
        ],
      }),
      undone: [
        {
          userId: 'u0',
          assign: [{ skuId: 'e3', disabledPlans: ['p1'] }],
          revoke: [],
          asLeft: { e3: { disabledPlans: [] } },
        },
        {
          userId: 'u1',
          assign: [{ skuId: 'visio', disabledPlans: [] }],
          revoke: ['e3'],
          asLeft: { e3: { disabledPlans: [] }, visio: null },
        },
      ],
      planned: { assignments: 2, planChanges: 1, revocations: 1, noops: 1 },
      needsApproval: false,
    });
    expectFits(view);
    expect(view.title.text).toBe('Undo');
    expect(view.submit?.text).toBe('Undo');
    const text = sectionTexts(view).join('\n');
    expect(text).toContain('*2 users to put back as before:*');
    expect(text).toContain(
      '• *Office 365 E3*: back to 1 user with the plans they had off · taken back from 1 user who did not have it',
    );
    expect(text).toContain('• *Visio*: back to 1 user with the plans they had off');
    expect(JSON.stringify(view.blocks)).toContain('1 changed since or as before already (left as they are)');

    const products = Array.from({ length: 80 }, (_, p) => ({
      skuId: `sku${p}`,
      name: `Product ${p} ${'x'.repeat(80)}`,
    }));
    const undone = Array.from({ length: 3000 }, (_, i) => ({
      userId: `m${i}`,
      assign: [],
      revoke: [`sku${i % 80}`],
      asLeft: { [`sku${i % 80}`]: { disabledPlans: [] } },
    }));
    const big = renderFollowUpModal({
      kind: 'undo',
      draftId: 'drf_big',
      original: finished({ products }),
      undone,
      planned: { assignments: 0, planChanges: 0, revocations: 3000, noops: 0 },
      needsApproval: true,
      approvalReason: 'it revokes 3,000 licenses, and revoking 10 or more needs approval.',
    });
    expectFits(big);
    expect(sectionTexts(big).join('\n')).toContain('more product');
    expect(sectionTexts(big).join('\n')).toContain("This undo needs a manager's approval");
    expect(big.submit?.text).toBe('Request approval');
  });
});
