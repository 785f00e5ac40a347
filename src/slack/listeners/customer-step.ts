/** `/licenses [customer]` and the customer step: a typeahead over every customer. */
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { renderCustomerStep } from '../../../blocks/customer-step.js';
import { ids } from '../../../blocks/ids.js';
import { renderLoading } from '../../../blocks/loading.js';
import { customerOptions } from '../../../blocks/option-lists.js';
import type { Draft } from '../../store/store.js';
import { LicensesCommand, StateValues, SuggestionQuery } from '../payloads.js';
import { isLate, OPTIONS_BUDGET_MS, showFromTrigger, withinBudget } from '../views.js';
import type { ListenerDeps } from './deps.js';
import { type SubmitArgs, type SuggestionArgs, submittedStep } from './step-args.js';
import { renderUsersFor } from './users-step-render.js';

const MAX_CUSTOMER_OPTIONS = 100;
const CHOOSE_CUSTOMER = 'Choose a customer.';

/** `/licenses`: ack at once, open the modal, then pick the customer (or jump past it). */
export function openLicenses(deps: ListenerDeps) {
  return async ({ command: payload, ack, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = LicensesCommand.safeParse(payload);
    if (!parsed.success) {
      await ack({
        response_type: 'ephemeral',
        text: 'LicenseDesk could not read this command. Try /licenses again.',
      });
      return;
    }
    const command = parsed.data;
    await ack();
    const draft = await deps.store.createDraft({ ownerId: command.user_id, channelId: command.channel_id });
    const name = command.text.trim();
    const { viewId } = await showFromTrigger(
      client,
      'open',
      command.trigger_id,
      firstView(deps, draft, name),
      () =>
        renderLoading({
          callbackId: ids.views.customer,
          title: 'Choose a customer',
          text: `Looking for “${name}”…`,
        }),
    );
    await deps.store.updateDraft(draft.id, (current) => ({ ...current, rootViewId: viewId }));
  };
}

/** The users step when `name` matches exactly one customer, else the customer step. */
async function firstView(deps: ListenerDeps, draft: Draft, name: string): Promise<ModalView> {
  if (name === '') return renderCustomerStep({ draftId: draft.id });
  const matches = await deps.service.searchCustomers(name, 2);
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) {
    const chosen = await deps.store.updateDraft(draft.id, (current) => ({
      ...current,
      customerId: only.id,
      customerName: only.name,
    }));
    if (chosen !== null) return renderUsersFor(deps, chosen, 0);
  }
  return renderCustomerStep({
    draftId: draft.id,
    initialCustomer: matches[0] ?? null,
    note:
      matches.length === 0
        ? `No customer starts with “${name}”. Search for another one.`
        : `Several customers start with “${name}”. Pick one.`,
  });
}

/** Options load of the customer typeahead. */
export function customerSuggestions(deps: ListenerDeps) {
  return async ({ options, ack }: SuggestionArgs) => {
    const query = SuggestionQuery.parse(options.value);
    const customers = await withinBudget(
      deps.service.searchCustomers(query, MAX_CUSTOMER_OPTIONS),
      OPTIONS_BUDGET_MS,
    );
    await ack({ options: isLate(customers) ? [] : customerOptions(customers) });
  };
}

/** "Next" on the customer step: keep the customer in the draft and show the users step. */
export function submitCustomer(deps: ListenerDeps) {
  return async (args: SubmitArgs) => {
    const step = await submittedStep(args);
    if (step === null) return;
    const { ack, client } = args;
    const { draft, view } = step;
    const customerId = new StateValues(view.state).selected(ids.blocks.customer, ids.actions.customer);
    // The customer is looked up inside the budget too: a slow provider must not delay the ack.
    const work = (async (): Promise<ModalView | null> => {
      const customer = customerId === null ? null : await deps.service.getCustomer(customerId);
      if (customer === null) return null;
      const chosen = await deps.store.updateDraft(draft.id, (current) => ({
        ...current,
        customerId: customer.id,
        customerName: customer.name,
        selectedUserIds: current.customerId === customer.id ? current.selectedUserIds : [],
        notFoundEmails: [],
        page: 0,
        browseQuery: '',
        disabledPlansBySku: {},
      }));
      return renderUsersFor(deps, chosen ?? draft, 0);
    })();
    const ready = await withinBudget(work);
    if (!isLate(ready)) {
      await ack(
        ready === null
          ? { response_action: 'errors', errors: { [ids.blocks.customer]: CHOOSE_CUSTOMER } }
          : { response_action: 'update', view: ready },
      );
      return;
    }
    await ack({
      response_action: 'update',
      view: renderLoading({
        callbackId: ids.views.users,
        title: 'Choose users',
        text: 'Loading users…',
        draftId: draft.id,
      }),
    });
    const late = await work;
    await client.views.update({
      view_id: view.id,
      view: late ?? renderCustomerStep({ draftId: draft.id, note: CHOOSE_CUSTOMER }),
    });
  };
}
