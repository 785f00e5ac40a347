/**
 * `view.state.values` as Slack computes it: every stateful element with its current value, which is
 * what the user entered or else the element's initial value.
 */
import { elementsOf } from '../block-kit.js';
import type { EnteredValues, SlackObject, StateValue, StateValues } from './types.js';

/** Per element type: the state field and how to read the element's initial value. */
const STATE_FIELDS: Record<string, { field: string; initial: string; many: boolean }> = {
  plain_text_input: { field: 'value', initial: 'initial_value', many: false },
  email_text_input: { field: 'value', initial: 'initial_value', many: false },
  url_text_input: { field: 'value', initial: 'initial_value', many: false },
  number_input: { field: 'value', initial: 'initial_value', many: false },
  rich_text_input: { field: 'rich_text_value', initial: 'initial_value', many: false },
  checkboxes: { field: 'selected_options', initial: 'initial_options', many: true },
  radio_buttons: { field: 'selected_option', initial: 'initial_option', many: false },
  static_select: { field: 'selected_option', initial: 'initial_option', many: false },
  external_select: { field: 'selected_option', initial: 'initial_option', many: false },
  multi_static_select: { field: 'selected_options', initial: 'initial_options', many: true },
  multi_external_select: { field: 'selected_options', initial: 'initial_options', many: true },
  users_select: { field: 'selected_user', initial: 'initial_user', many: false },
  multi_users_select: { field: 'selected_users', initial: 'initial_users', many: true },
  conversations_select: { field: 'selected_conversation', initial: 'initial_conversation', many: false },
  multi_conversations_select: {
    field: 'selected_conversations',
    initial: 'initial_conversations',
    many: true,
  },
  channels_select: { field: 'selected_channel', initial: 'initial_channel', many: false },
  multi_channels_select: { field: 'selected_channels', initial: 'initial_channels', many: true },
  datepicker: { field: 'selected_date', initial: 'initial_date', many: false },
  timepicker: { field: 'selected_time', initial: 'initial_time', many: false },
  datetimepicker: { field: 'selected_date_time', initial: 'initial_date_time', many: false },
  file_input: { field: 'files', initial: 'initial_files', many: true },
};

/** True for elements that carry state (inputs, selects, checkboxes…), false for buttons and overflows. */
export function isStateful(elementType: string): boolean {
  return elementType in STATE_FIELDS;
}

/** The state field of an element type (`selected_options`, `value`…), if it has one. */
export function stateFieldOf(elementType: string): string | undefined {
  return STATE_FIELDS[elementType]?.field;
}

/** An interactive element of a view with the ids Slack routes by. */
export interface ViewElement {
  blockId: string;
  actionId: string;
  block: SlackObject;
  element: SlackObject;
}

/** Every interactive element of `blocks` that has a block_id and an action_id. */
export function viewElements(blocks: readonly unknown[]): ViewElement[] {
  return blocks.flatMap((block, index) =>
    elementsOf(block, index).flatMap(({ blockId, element }) =>
      blockId !== undefined && typeof element.action_id === 'string'
        ? [{ blockId, actionId: element.action_id, block: block as SlackObject, element }]
        : [],
    ),
  );
}

function initialStateOf(element: SlackObject): StateValue | undefined {
  const type = typeof element.type === 'string' ? element.type : '';
  const spec = STATE_FIELDS[type];
  if (!spec) return undefined;
  const initial = element[spec.initial];
  return { type, [spec.field]: initial ?? (spec.many ? [] : null) };
}

/**
 * `state.values` for `blocks` given what the user entered: entered values override initial ones, and
 * only (block_id, action_id) pairs still present in the blocks count (as when Slack keeps typed input
 * across a `views.update`).
 */
export function stateFor(blocks: readonly unknown[], entered: EnteredValues = {}): StateValues {
  const values: StateValues = {};
  for (const { blockId, actionId, element } of viewElements(blocks)) {
    const initial = initialStateOf(element);
    if (!initial) continue;
    const typed = entered[blockId]?.[actionId];
    const block = values[blockId] ?? {};
    block[actionId] = typed ? { ...initial, ...typed, type: initial.type } : initial;
    values[blockId] = block;
  }
  return values;
}

/** Keeps only the entered values whose block_id and action_id still exist in `blocks`. */
export function keepEntered(blocks: readonly unknown[], entered: StateValues): StateValues {
  const kept: StateValues = {};
  for (const { blockId, actionId } of viewElements(blocks)) {
    const value = entered[blockId]?.[actionId];
    if (value) kept[blockId] = { ...kept[blockId], [actionId]: value };
  }
  return kept;
}
