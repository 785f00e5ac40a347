/**
 * Slack's size limits (docs.slack.dev Block Kit reference; see shared/reference/slack-platform.md §1)
 * and the small functions that make any surface fit them. Builders own these limits so that no view
 * or message can be rejected for size, whatever the number of users or products.
 */

export const limits = {
  /** Options of one checkboxes / radio_buttons element. */
  checkboxOptions: 10,
  /** Blocks of a modal or Home tab view. */
  viewBlocks: 100,
  /** Blocks of one message. */
  messageBlocks: 50,
  /** Text of a section block (and of any text object without a lower limit). */
  sectionText: 3000,
  /** One field of a section. */
  fieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  /** Option object: text, value, description. */
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  /** Options in one options-load reply (external selects) or a static select. */
  optionsLoad: 100,
  /** Modal title, submit and close texts. */
  title: 24,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  placeholder: 150,
  label: 2000,
  hint: 2000,
  plainTextInput: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  privateMetadata: 3000,
  /** Ids: block_id, action_id, callback_id. */
  id: 255,
  /** Message `text` (chat.update refuses more with msg_too_long). */
  messageText: 4000,
  /** Whole view payload: 250 KB (view_too_large). */
  viewBytes: 250 * 1024,
} as const;

/** Bytes of text that long lists may put in one view, leaving room for the rest of the payload. */
export const VIEW_TEXT_BUDGET = 180 * 1024;

const encoder = new TextEncoder();

/** UTF-8 size of a string (what Slack's payload limits count). */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Splits texts into pages of at most `maxItems` texts and `maxBytes` UTF-8 bytes (a page holds at least one). */
export function pagesOf(
  texts: readonly string[],
  maxItems: number,
  maxBytes: number = VIEW_TEXT_BUDGET,
): string[][] {
  const pages: string[][] = [];
  let page: string[] = [];
  let bytes = 0;
  for (const text of texts) {
    const size = byteLength(text);
    if (page.length > 0 && (page.length >= maxItems || bytes + size > maxBytes)) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push(text);
    bytes += size;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters (code points are not split), ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = text.slice(0, max - 1);
  // Do not leave half of a surrogate pair before the ellipsis.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
}

/** Splits `items` into consecutive chunks of at most `size` (size ≥ 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}

/** Escapes user text for mrkdwn so names cannot inject `<!channel>`, mentions or links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Packs lines into texts of at most `max` characters each (joined by `\n`); a single line longer
 * than `max` is truncated. Never splits a line across two texts.
 */
export function packLines(lines: readonly string[], max: number = limits.sectionText): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (current === '') {
      current = line;
    } else if (current.length + 1 + line.length <= max) {
      current += `\n${line}`;
    } else {
      out.push(current);
      current = line;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

/**
 * Like packLines, but keeps at most `maxTexts` texts. Lines left out (plus `alreadyOmitted`, lines
 * the caller dropped before) are counted in a final line `more(n)`; lines are dropped from the end
 * to make room for it, so the result always fits.
 */
export function packLinesCapped(
  lines: readonly string[],
  maxTexts: number,
  more: (omitted: number) => string,
  max: number = limits.sectionText,
  alreadyOmitted = 0,
  maxBytes: number = Number.POSITIVE_INFINITY,
): string[] {
  // Leave room (one text) for the note when a byte budget applies.
  const kept = pagesOf(packLines(lines, max), Math.max(1, maxTexts), maxBytes)[0] ?? [];
  const shown = kept.reduce((n, text) => n + text.split('\n').length, 0);
  let omitted = Math.max(0, lines.length - shown) + alreadyOmitted;
  if (omitted === 0) return kept;
  let note = more(omitted);
  const lastIndex = kept.length - 1;
  let lastLines = (kept[lastIndex] ?? '').split('\n');
  if (kept.length < maxTexts && lastLines.join('\n').length + 1 + note.length > max) {
    kept.push(truncate(note, max));
    return kept;
  }
  while (lastLines.length > 1 && lastLines.join('\n').length + 1 + note.length > max) {
    lastLines = lastLines.slice(0, -1);
    omitted += 1;
    note = more(omitted);
  }
  kept[lastIndex] = truncate(
    lastLines.length > 0 && lastLines.join('\n') !== '' ? `${lastLines.join('\n')}\n${note}` : note,
    max,
  );
  return kept;
}

/** One line of user text: whitespace runs (newlines included) become single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** JSON for private_metadata; throws when it would exceed Slack's 3,000 characters (a programming error). */
export function encodeMetadata(value: Record<string, string | number | boolean | null>): string {
  const json = JSON.stringify(value);
  if (json.length > limits.privateMetadata) {
    throw new RangeError(`private_metadata of ${json.length} characters exceeds ${limits.privateMetadata}`);
  }
  return json;
}

/** One page of texts: at most `perPage` texts from page `page` (clamped), with the page count. */
export function pageOf<T>(
  items: readonly T[],
  perPage: number,
  page: number,
): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(items.length / Math.max(1, perPage)));
  const current = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(current * perPage, (current + 1) * perPage), page: current, pages };
}
