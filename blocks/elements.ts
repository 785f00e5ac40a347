/**
 * Small typed constructors for Block Kit objects. Each one applies the limit of the field it
 * fills (truncating with "…"), so surfaces can pass user data without measuring it.
 */
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ConfirmationDialog,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  HomeView,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
  SectionBlockAccessory,
} from '@slack/types';
import { encodeMetadata, limits, truncate } from './limits.js';

/** A plain_text object, truncated to `max`. */
export function plain(text: string, max: number = limits.sectionText): PlainTextElement {
  return { type: 'plain_text', text: truncate(text === '' ? ' ' : text, max), emoji: true };
}

/** A mrkdwn object, truncated to `max`. The caller escapes user text (escapeMrkdwn). */
export function mrkdwn(text: string, max: number = limits.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: truncate(text === '' ? ' ' : text, max) };
}

/** A section with mrkdwn text (≤ 3,000) and an optional accessory. */
export function section(
  text: string,
  options: { blockId?: string; accessory?: SectionBlockAccessory } = {},
): SectionBlock {
  const block: SectionBlock = { type: 'section', text: mrkdwn(text) };
  if (options.blockId !== undefined) block.block_id = options.blockId;
  if (options.accessory !== undefined) block.accessory = options.accessory;
  return block;
}

/** A header block (plain text ≤ 150). */
export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(text, limits.headerText) };
}

/** A context block of up to 10 mrkdwn texts. */
export function context(texts: readonly string[], blockId?: string): ContextBlock {
  const block: ContextBlock = {
    type: 'context',
    elements: texts.slice(0, limits.contextElements).map((t) => mrkdwn(t)),
  };
  if (blockId !== undefined) block.block_id = blockId;
  return block;
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/** An actions block of up to 25 elements. */
export function actions(elements: readonly ActionsBlockElement[], blockId?: string): ActionsBlock {
  const block: ActionsBlock = { type: 'actions', elements: elements.slice(0, limits.actionsElements) };
  if (blockId !== undefined) block.block_id = blockId;
  return block;
}

export interface ButtonOptions {
  actionId: string;
  text: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmationDialog;
  accessibilityLabel?: string;
}

/** A button; text ≤ 75, value ≤ 2,000, url ≤ 3,000. */
export function button(options: ButtonOptions): Button {
  const b: Button = {
    type: 'button',
    action_id: options.actionId,
    text: plain(options.text, limits.buttonText),
  };
  if (options.value !== undefined) b.value = options.value.slice(0, limits.buttonValue);
  if (options.url !== undefined) b.url = options.url.slice(0, limits.url);
  if (options.style !== undefined) b.style = options.style;
  if (options.confirm !== undefined) b.confirm = options.confirm;
  if (options.accessibilityLabel !== undefined) {
    b.accessibility_label = truncate(options.accessibilityLabel, limits.buttonText);
  }
  return b;
}

/** A confirm dialog with Slack's lengths applied. */
export function confirmDialog(options: {
  title: string;
  text: string;
  confirm: string;
  deny: string;
  style?: 'primary' | 'danger';
}): ConfirmationDialog {
  const dialog: ConfirmationDialog = {
    title: plain(options.title, limits.confirmTitle),
    text: plain(options.text, limits.confirmText),
    confirm: plain(options.confirm, limits.confirmButton),
    deny: plain(options.deny, limits.confirmButton),
  };
  if (options.style !== undefined) dialog.style = options.style;
  return dialog;
}

/** A plain-text option: text and description ≤ 75, value ≤ 150 (never truncated silently: it is an id). */
export function option(text: string, value: string, description?: string): PlainTextOption {
  if (value.length > limits.optionValue) {
    throw new RangeError(`option value of ${value.length} characters exceeds ${limits.optionValue}`);
  }
  const o: PlainTextOption = { text: plain(text, limits.optionText), value };
  if (description !== undefined && description !== '') {
    o.description = plain(description, limits.optionDescription);
  }
  return o;
}

export interface ModalOptions {
  callbackId: string;
  title: string;
  blocks: readonly KnownBlock[];
  submit?: string;
  close?: string;
  privateMetadata?: string;
  externalId?: string;
  notifyOnClose?: boolean;
}

/** A modal view; title, submit and close ≤ 24; at most 100 blocks (excess is cut, builders stay below it). */
export function modal(options: ModalOptions): ModalView {
  const view: ModalView = {
    type: 'modal',
    callback_id: options.callbackId,
    title: plain(options.title, limits.title),
    blocks: options.blocks.slice(0, limits.viewBlocks),
  };
  if (options.submit !== undefined) view.submit = plain(options.submit, limits.title);
  if (options.close !== undefined) view.close = plain(options.close, limits.title);
  if (options.privateMetadata !== undefined) view.private_metadata = options.privateMetadata;
  if (options.externalId !== undefined) view.external_id = options.externalId;
  if (options.notifyOnClose !== undefined) view.notify_on_close = options.notifyOnClose;
  return view;
}

/**
 * A pushed view to read, without a submit button (a list, a product's holders): `close` goes back
 * to the view below; `metadata` becomes its private_metadata.
 */
export function readOnlyModal(
  view: { callbackId: string; title: string; close: 'Back' | 'Close' },
  blocks: readonly KnownBlock[],
  metadata: Record<string, string>,
): ModalView {
  return modal({ ...view, blocks, privateMetadata: encodeMetadata(metadata) });
}

/** A Home tab view of at most 100 blocks. */
export function homeView(blocks: readonly KnownBlock[], privateMetadata?: string): HomeView {
  const view: HomeView = { type: 'home', blocks: blocks.slice(0, limits.viewBlocks) };
  if (privateMetadata !== undefined) view.private_metadata = privateMetadata;
  return view;
}

/** `<@U123>` for a Slack user id (ids are not user text, but are checked to be id-shaped). */
export function userMention(userId: string): string {
  return /^[UWB][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : userId.replace(/[<>&]/g, '');
}

/** Slack's localised date token with an ISO fallback; `fallback` is shown where the token is not rendered. */
export function slackDate(iso: string, format = '{date_short_pretty} at {time}'): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso.replace(/[<>&|]/g, '');
  const fallback = `${new Date(ms).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}

/** "1 user" / "2 users". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** A sentence's first letter in upper case ("Turn off …"). */
export function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/** "A, B and 3 more": the first `max` of `items` as `show` words them, and how many more there are. */
export function listFirst<T>(items: readonly T[], max: number, show: (item: T) => string): string {
  const shown = items.slice(0, max).map(show);
  const more = items.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
