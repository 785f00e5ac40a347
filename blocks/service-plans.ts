/** Pushed view: the service plans of one product to turn off. */
import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import type { Product } from '../src/licensing/model.js';
import { context, modal, option, plain, section } from './elements.js';
import { ids, planOffGroupId } from './ids.js';
import { chunk, encodeMetadata, escapeMrkdwn, limits, oneLine, truncate } from './limits.js';

export interface ServicePlansData {
  draftId: string;
  product: Product;
  /** The operator's current choice of plans to turn off; null = unchanged (holders keep theirs). */
  disabledPlans: readonly string[] | null;
}

/**
 * The service-plans modal: checkbox groups (≤ 10 each; block and action id `plans_off_<n>`, see
 * `planOffGroupId`) of plans to turn off, initial = current choice; submit "Save";
 * private_metadata `{ draftId, skuId }`.
 */
export function renderServicePlans(data: ServicePlansData): ModalView {
  const { product } = data;
  const disabled = new Set(data.disabledPlans ?? []);
  const blocks: KnownBlock[] = [
    section(`*${escapeMrkdwn(truncate(oneLine(product.name), 200))}*`),
    context([
      data.disabledPlans === null
        ? 'Tick the plans to turn *off* for the users who get this product. Until you save, users who already have it keep their own plans.'
        : 'Tick the plans to turn *off* for the users who get this product; unticked plans are on.',
    ]),
  ];
  const groups = chunk(product.servicePlans, limits.checkboxOptions);
  if (groups.length === 0) blocks.push(section('This product has no service plans to turn off.'));
  groups.forEach((group, g) => {
    // The friendly name only ("Exchange Online (Plan 2)"); the technical one is jargon to the operator.
    const options = group.map((plan) => option(plan.friendlyName ?? plan.name, plan.id));
    const initial = options.filter((o) => disabled.has(o.value ?? ''));
    const first = g * limits.checkboxOptions + 1;
    const range =
      groups.length > 1 ? ` (${first}–${first + group.length - 1} of ${product.servicePlans.length})` : '';
    const block: InputBlock = {
      type: 'input',
      block_id: planOffGroupId(g),
      optional: true,
      label: plain(`Turn off${range}`, limits.label),
      element: {
        type: 'checkboxes',
        action_id: planOffGroupId(g),
        options,
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    };
    blocks.push(block);
  });
  return modal({
    callbackId: ids.views.plans,
    title: 'Service plans',
    ...(groups.length > 0 ? { submit: 'Save' } : {}),
    close: 'Back',
    blocks,
    privateMetadata: encodeMetadata({ draftId: data.draftId, skuId: product.skuId }),
  });
}
