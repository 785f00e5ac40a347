/**
 * How the listeners put views on screen within Slack's deadlines: a trigger id lives 3 seconds,
 * an ack must come within 3 seconds, and a views.update with a stale hash fails.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';

/** Slack's error code of a failed Web API call (`not_in_channel`, `hash_conflict`, …). */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** Time slow work may take before an ack has to go out with a placeholder instead. */
export const ACK_BUDGET_MS = 1500;

/**
 * Time an options load may search for. Its answer is the ack itself and nothing can follow it,
 * so a search that is not done by then is answered with no options rather than after the deadline.
 */
export const OPTIONS_BUDGET_MS = 2000;

const late = Symbol('late');

/** The value of `work` if it settles within `ms`, else `late` (the work keeps running). */
export async function withinBudget<T>(
  work: Promise<T>,
  ms: number = ACK_BUDGET_MS,
): Promise<T | typeof late> {
  const timer = new AbortController();
  try {
    return await Promise.race([work, sleep(ms, late, { signal: timer.signal })]);
  } finally {
    // The timer's promise rejects on abort; the race has settled and handles it.
    timer.abort();
  }
}

export function isLate<T>(value: T | typeof late): value is typeof late {
  return value === late;
}

/**
 * views.update guarded by `hash`; when someone else updated the view meanwhile (two quick
 * clicks), the draft is the truth: render it again and update without the guard.
 */
export async function updateView(
  client: WebClient,
  target: { viewId: string; hash?: string | undefined },
  view: ModalView,
  rerender: () => Promise<ModalView>,
): Promise<void> {
  try {
    await client.views.update({
      view_id: target.viewId,
      view,
      ...(target.hash ? { hash: target.hash } : {}),
    });
  } catch (error) {
    if (slackErrorCode(error) !== 'hash_conflict') throw error;
    await client.views.update({ view_id: target.viewId, view: await rerender() });
  }
}

/**
 * Opens (or pushes) a view from a trigger id: the final view when it is ready within the
 * budget, else a placeholder at once and the final view by views.update when it is.
 */
export async function showFromTrigger(
  client: WebClient,
  how: 'open' | 'push',
  triggerId: string,
  work: Promise<ModalView>,
  placeholder: () => ModalView,
): Promise<{ viewId: string }> {
  const ready = await withinBudget(work);
  const open = (view: ModalView) =>
    how === 'open'
      ? client.views.open({ trigger_id: triggerId, view })
      : client.views.push({ trigger_id: triggerId, view });
  if (!isLate(ready)) {
    const opened = await open(ready);
    return { viewId: opened.view?.id ?? '' };
  }
  const opened = await open(placeholder());
  const viewId = opened.view?.id ?? '';
  await client.views.update({
    view_id: viewId,
    view: await work,
    ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
  });
  return { viewId };
}

/**
 * Answers a view submission with the view `work` renders: in the ack when it is ready within the
 * budget, else a placeholder in the ack and the view by views.update once it is.
 */
export async function replaceOnSubmit(
  ack: (response: { response_action: 'update'; view: ModalView }) => Promise<void>,
  client: WebClient,
  viewId: string,
  work: Promise<ModalView>,
  placeholder: () => ModalView,
): Promise<void> {
  const ready = await withinBudget(work);
  if (!isLate(ready)) {
    await ack({ response_action: 'update', view: ready });
    return;
  }
  await ack({ response_action: 'update', view: placeholder() });
  await client.views.update({ view_id: viewId, view: await work });
}

/**
 * A view submission's answer within Slack's 3 seconds: waits for `work` up to the budget and, when
 * it is late, acks with `placeholder()` first. `show` then puts a view in place: in the ack when
 * `work` was on time, by views.update when it was late.
 */
export async function answerInTime<T>(
  args: {
    ack: (response: { response_action: 'update'; view: ModalView }) => Promise<void>;
    client: WebClient;
    view: { id: string };
  },
  work: Promise<T>,
  placeholder: () => ModalView,
): Promise<{ outcome: T; late: boolean; show: (shown: ModalView) => Promise<void> }> {
  const ready = await withinBudget(work);
  const late = isLate(ready);
  if (late) await args.ack({ response_action: 'update', view: placeholder() });
  const outcome = late ? await work : ready;
  const show = async (shown: ModalView) => {
    if (late) await args.client.views.update({ view_id: args.view.id, view: shown });
    else await args.ack({ response_action: 'update', view: shown });
  };
  return { outcome, late, show };
}
