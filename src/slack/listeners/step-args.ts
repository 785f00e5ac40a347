/**
 * What every step listener reads first (the owned draft and the view a click or submission came
 * from), and how it puts a view back on screen.
 */
import type {
  AllMiddlewareArgs,
  BlockAction as BoltBlockAction,
  Context,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { renderLoading } from '../../../blocks/loading.js';
import { type DraftContext, draftOf } from '../access.js';
import { actionOf, pageOf, triggerIdOf, type ViewRef, viewOf } from '../payloads.js';
import { showFromTrigger, updateView } from '../views.js';

/** A click (block_actions) on a step. */
export type ActionArgs = SlackActionMiddlewareArgs<BoltBlockAction> & AllMiddlewareArgs;
/** An options load (block_suggestion) of a typeahead. */
export type SuggestionArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;
/** A view submission of a step. */
export type SubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

export interface Step extends DraftContext {
  view: ViewRef;
}

/** The owned draft (requireOwnDraft ran before) and the payload's view; null when there is no view. */
export function stepOf(args: { context: Context; body: unknown }): Step | null {
  const view = viewOf(args.body);
  return view === null ? null : { ...draftOf(args.context), view };
}

/** The step a submission came from; a submission without a view is acked with nothing, and null. */
export async function submittedStep(args: SubmitArgs): Promise<Step | null> {
  const step = stepOf(args);
  if (step === null) await args.ack();
  return step;
}

/**
 * Puts `render()` in place of `view`, guarded by the view's hash; on a conflict (two quick
 * clicks) `rerender` renders again from the draft, which is the truth.
 */
export async function refreshView(
  client: WebClient,
  view: ViewRef,
  render: () => Promise<ModalView>,
  rerender: () => Promise<ModalView> = render,
): Promise<void> {
  await updateView(client, { viewId: view.id, hash: view.hash }, await render(), rerender);
}

/**
 * Paging inside a pushed view: the clicked page rendered in place. `renderer` gives what renders
 * that page of the step, or null when the view's metadata lacks what it needs (nothing is shown).
 */
export function pagedView(renderer: (step: Step, page: number) => (() => Promise<ModalView>) | null) {
  return stepClick(async (step, args) => {
    const page = pageOf(actionOf(args.action));
    const render = page === null ? null : renderer(step, page);
    if (render !== null) await refreshView(args.client, step.view, render);
  });
}

/** A click on a step: acked, then handled with the step it came from (without a view, only acked). */
export function stepClick(handle: (step: Step, args: ActionArgs) => Promise<void>) {
  return async (args: ActionArgs) => {
    await args.ack();
    const step = stepOf(args);
    if (step !== null) await handle(step, args);
  };
}

/**
 * Pushes the view `work` renders over the step from the click's trigger, with a loading view
 * (`loading`) first when it is slow; nothing when the click carries no trigger id.
 */
export async function pushFromClick(
  args: ActionArgs,
  work: () => Promise<ModalView>,
  loading: { callbackId: string; title: string; text: string },
): Promise<void> {
  const triggerId = triggerIdOf(args.body);
  if (triggerId === null) return;
  await showFromTrigger(args.client, 'push', triggerId, work(), () => renderLoading(loading));
}
