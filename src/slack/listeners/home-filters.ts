/** App Home's filter controls: a change re-publishes the Home with the new filter in its metadata. */
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { HOME_SCOPES, type HomeFilter } from '../../../blocks/home-filter.js';
import { ids } from '../../../blocks/ids.js';
import { viewOf } from '../payloads.js';
import type { ListenerDeps } from './deps.js';
import { homeFilterOf, publishHomeOf } from './home.js';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

const Picked = z.object({
  selected_option: z.object({
    value: z.string().min(1).max(150),
    text: z.object({ text: z.string().max(200) }),
  }),
});

/** The option text's customer name: "Contoso (contoso.com) · 40 users" → "Contoso". */
function nameOfOption(text: string): string {
  return text.replace(/ · [\d,]+ users?$/, '').replace(/ \([^()]*\)$/, '');
}

/** The customer's name as requests recorded it, else as the option showed it. */
async function customerName(deps: ListenerDeps, id: string, optionText: string): Promise<string> {
  const [known] = await deps.store.listRequestHeaders({ customerId: id, limit: 1 });
  return known?.customerName ?? nameOfOption(optionText);
}

/** The filter the action asks for, or null when the action does not parse. */
async function changedFilter(deps: ListenerDeps, args: ActionArgs, current: HomeFilter) {
  const picked = Picked.safeParse(args.action);
  switch (args.action.action_id) {
    case ids.actions.homeScope: {
      const scope = z.enum(HOME_SCOPES).safeParse(picked.data?.selected_option.value);
      return scope.success ? { ...current, scope: scope.data } : null;
    }
    case ids.actions.homeCustomer: {
      if (!picked.success) return null;
      const { value: id, text } = picked.data.selected_option;
      return { ...current, customer: { id, name: await customerName(deps, id, text.text) } };
    }
    default:
      return { ...current, customer: null };
  }
}

/** The scope select, the customer typeahead and "Any customer" (routes: staff only). */
export function changeHomeFilter(deps: ListenerDeps) {
  return async (args: ActionArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    // After the ack, as background work the app can wait for (tests, shutdown).
    deps.runs.track(`home filter of ${userId}`, async () => {
      const current = homeFilterOf(viewOf(args.body)?.private_metadata);
      const next = await changedFilter(deps, args, current);
      if (next !== null) await publishHomeOf(deps, args.client, userId, next);
    });
  };
}
