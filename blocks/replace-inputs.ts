/**
 * The "Replace A with B" pair of the manage step: the product to replace and the product to give
 * instead, each an optional select of the customer's products that are not suspended. Both
 * dispatch, so the approval notice follows the revocations a replacement makes.
 */
import type { InputBlock, KnownBlock, PlainTextOption, StaticSelect } from '@slack/types';
import type { Product } from '../src/licensing/model.js';
import { context, option, plain } from './elements.js';
import { ids } from './ids.js';
import { limits } from './limits.js';

function select(
  actionId: string,
  placeholder: string,
  options: PlainTextOption[],
  initial: string | undefined,
): StaticSelect {
  const initialOption = options.find((candidate) => candidate.value === initial);
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plain(placeholder, limits.placeholder),
    options,
    ...(initialOption ? { initial_option: initialOption } : {}),
  };
}

function input(blockId: string, label: string, element: StaticSelect): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    dispatch_action: true,
    label: plain(label, limits.label),
    element,
  };
}

/**
 * Three blocks: a line on what a replacement does, then the two selects (at most 100 products
 * each, Slack's limit of a static select), with the products chosen before (Back from the
 * preview) selected again. None when no product can be replaced.
 */
export function replaceBlocks(
  products: readonly Product[],
  chosen: { from?: string; to?: string } = {},
): KnownBlock[] {
  const offered = products.filter((p) => p.status !== 'suspended').slice(0, limits.optionsLoad);
  if (offered.length < 2) return [];
  const options = offered.map((p) => option(p.name, p.skuId));
  return [
    context([
      '*Replace* one product with another: each selected user who has the first gets the second ' +
        '(with its service plans as chosen) and loses the first in one change, never without a license. ' +
        'Users without the first are left as they are.',
    ]),
    input(
      ids.blocks.replaceFrom,
      'Replace',
      select(ids.actions.replaceFrom, 'Product to replace', options, chosen.from),
    ),
    input(
      ids.blocks.replaceTo,
      'With',
      select(ids.actions.replaceTo, 'Product to give instead', options, chosen.to),
    ),
  ];
}
