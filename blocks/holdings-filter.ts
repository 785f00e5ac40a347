/**
 * "Add every user who…" on the users step: holds a product, holds nothing, or has no usage
 * location, as far as the backend can answer (its filter kinds); and what the last choice added.
 * An external select: its options (the products among them) load when it is opened, so showing
 * or paging the users step reads no product list.
 */
import type { KnownBlock, PlainTextOption } from '@slack/types';
import type { UserFilter, UserFilterKind } from '../src/providers/license-provider.js';
import { actions, context, option, plain, section } from './elements.js';
import { ids, selectByBlockId } from './ids.js';
import { escapeMrkdwn, limits, oneLine, truncate } from './limits.js';

/** Slack shows at most 100 options. */
const MAX_OPTIONS = 100;
const NOTHING = 'nothing';
const NO_LOCATION = 'no_location';
const HOLDS = 'holds:';

export interface HoldingsFilterData {
  /** The filters the backend answers; none: no block. */
  kinds: readonly UserFilterKind[];
  /** The customer's products, for "who hold …" (the options; the name of what was added). */
  products: readonly { skuId: string; name: string }[];
  /** What the last choice added, shown under the select. */
  added?: { filter: UserFilter; matched: number } | null;
}

/** The select's value of a filter, and back (null for anything else). */
export function filterValue(filter: UserFilter): string {
  if ('holds' in filter) return `${HOLDS}${filter.holds}`;
  return 'holdsNothing' in filter ? NOTHING : NO_LOCATION;
}

export function parseFilterValue(value: string | null | undefined): UserFilter | null {
  if (value === NOTHING) return { holdsNothing: true };
  if (value === NO_LOCATION) return { noUsageLocation: true };
  if (value?.startsWith(HOLDS) && value.length > HOLDS.length) return { holds: value.slice(HOLDS.length) };
  return null;
}

function productName(data: HoldingsFilterData, skuId: string): string {
  return oneLine(data.products.find((p) => p.skuId === skuId)?.name ?? 'a product that is gone');
}

/** The options for what was typed (a word of the product's name starts with it; empty: all). */
export function filterOptions(data: HoldingsFilterData, query = ''): PlainTextOption[] {
  const typed = oneLine(query).toLowerCase();
  const matches = (text: string) =>
    typed === '' ||
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .some((word) => word.startsWith(typed));
  const options: PlainTextOption[] = [];
  const nothing = 'Who hold no license';
  const unlocated = 'Who have no usage location';
  if (data.kinds.includes('holdsNothing') && matches(nothing)) options.push(option(nothing, NOTHING));
  if (data.kinds.includes('noUsageLocation') && matches(unlocated))
    options.push(option(unlocated, NO_LOCATION));
  if (data.kinds.includes('holds')) {
    const named = data.products.filter((product) => matches(product.name));
    for (const product of named.slice(0, MAX_OPTIONS - options.length)) {
      options.push(
        option(`Who hold ${truncate(oneLine(product.name), 60)}`, filterValue({ holds: product.skuId })),
      );
    }
  }
  return options;
}

/** "holds *X*" / "hold *X*", "hold(s) no license", "ha(ve|s) no usage location". */
function whoText(data: HoldingsFilterData, filter: UserFilter, one: boolean): string {
  if ('holds' in filter) {
    return `${one ? 'holds' : 'hold'} *${escapeMrkdwn(truncate(productName(data, filter.holds), 200))}*`;
  }
  if ('holdsNothing' in filter) return `${one ? 'holds' : 'hold'} no license`;
  return `${one ? 'has' : 'have'} no usage location`;
}

/** "Added the 1,200 users who hold *Office 365 E3* to the selection." (or that none matched). */
export function addedText(data: HoldingsFilterData, added: { filter: UserFilter; matched: number }): string {
  const { filter, matched } = added;
  if (matched === 0) {
    if ('holdsNothing' in filter) return 'Every user of the customer holds a license: none added.';
    if ('noUsageLocation' in filter) return 'Every user of the customer has a usage location: none added.';
    return `No user of the customer ${whoText(data, filter, true)}.`;
  }
  const users = matched === 1 ? 'the 1 user' : `the ${matched.toLocaleString('en')} users`;
  return `:white_check_mark: Added ${users} who ${whoText(data, filter, matched === 1)} to the selection.`;
}

/** The heading, the select (reset by `version`) and what the last choice added; [] when the backend has no filter. */
export function holdingsFilterBlocks(data: HoldingsFilterData, version: number): KnownBlock[] {
  if (data.kinds.length === 0) return [];
  const blocks: KnownBlock[] = [
    section('*Add every user of the customer* who…'),
    actions(
      [
        {
          type: 'external_select',
          action_id: ids.actions.selectBy,
          placeholder: plain('Choose what they hold', limits.placeholder),
          min_query_length: 0,
        },
      ],
      selectByBlockId(version),
    ),
  ];
  if (data.added) blocks.push(context([addedText(data, data.added)]));
  return blocks;
}
