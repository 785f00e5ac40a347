/** The first step of `/licenses`: pick a customer with a typeahead. */
import type { KnownBlock, ModalView } from '@slack/types';
import type { Customer } from '../src/licensing/model.js';
import { context, modal, plain, section } from './elements.js';
import { ids } from './ids.js';
import { encodeMetadata, escapeMrkdwn, limits } from './limits.js';
import { customerOption } from './option-lists.js';

export interface CustomerStepData {
  /** The draft that carries the flow (private_metadata `{ draftId }`); omitted → no metadata. */
  draftId?: string;
  /** Preselected customer (e.g. `/licenses <name>` matched several, the first is offered). */
  initialCustomer?: (Pick<Customer, 'id' | 'name'> & { domain?: string }) | null;
  /** An error or empty-result note shown under the select (plain words; escaped here). */
  note?: string | null;
}

/** The customer-step modal: an external_select over customers (min_query_length 0), submit "Next". */
export function renderCustomerStep(data: CustomerStepData = {}): ModalView {
  const blocks: KnownBlock[] = [];
  blocks.push(
    section(
      'Choose the customer whose users you want to change licenses for. Start typing a name or domain.',
    ),
  );
  blocks.push({
    type: 'input',
    block_id: ids.blocks.customer,
    label: plain('Customer', limits.label),
    element: {
      type: 'external_select',
      action_id: ids.actions.customer,
      placeholder: plain('Search customers', limits.placeholder),
      min_query_length: 0,
      ...(data.initialCustomer ? { initial_option: customerOption(data.initialCustomer) } : {}),
    },
  });
  if (data.note) {
    blocks.push(context([`:warning: ${escapeMrkdwn(data.note)}`], ids.blocks.customerNote));
  }
  return modal({
    callbackId: ids.views.customer,
    title: 'Choose a customer',
    submit: 'Next',
    close: 'Cancel',
    blocks,
    ...(data.draftId !== undefined ? { privateMetadata: encodeMetadata({ draftId: data.draftId }) } : {}),
  });
}
