/**
 * Every text the app rendered to Slack (messages, their updates, views), and the checks of issue
 * 13 item 8 over them: emoji only where they carry meaning, none twice on a line, no doubled
 * punctuation.
 */
import { expect } from 'vitest';
import type { AppHarness } from './app-harness.js';
import type { SlackObject } from './slack-fake.js';

/** Emoji that say something: an outcome (one each) or a request's state. */
export const MEANINGFUL_EMOJI = new Set([
  'white_check_mark', // succeeded
  'x', // failed
  'warning', // succeeded with a note, or something to look at
  'hourglass', // waiting for approval
  'hourglass_flowing_sand', // queued
  'arrows_counterclockwise', // running
  'no_entry', // rejected, suspended
  'alarm_clock', // expired
  'lock', // needs approval
]);

/** Two punctuation marks where one belongs: "..", ".).", "!.", "?.", ",." and the like. */
export const DOUBLED = /\.\.|[.!?]\)[.!?]|[!?,;:]\.(?!\d)|\.[!?,;]|\.…|…\./;

/** Every text string (mrkdwn or plain) in a Block Kit payload, each on its own. */
function texts(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) texts(child, into);
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    if (typeof record.text === 'string') into.push(record.text);
    for (const value of Object.values(record)) if (typeof value === 'object') texts(value, into);
  }
  return into;
}

/** Every text of every message and view the app rendered, with where it came from. */
export function everythingRendered(harness: AppHarness): { where: string; text: string }[] {
  return harness.fake.calls.flatMap((call) => {
    const args = call.args as SlackObject & { text?: unknown; blocks?: unknown; view?: unknown };
    const found = [
      ...(typeof args.text === 'string' ? [args.text] : []),
      ...texts(args.blocks),
      ...texts(args.view),
    ];
    return found.map((text) => ({ where: call.method, text }));
  });
}

/** Fails on doubled punctuation, an emoji that carries no meaning, or one emoji twice on a line. */
export function expectPlainPunctuationAndEmoji(rendered: readonly { where: string; text: string }[]): void {
  for (const { where, text } of rendered) {
    expect(text, `${where}: doubled punctuation`).not.toMatch(DOUBLED);
    for (const line of text.split('\n')) {
      const emoji = [...line.matchAll(/:([a-z0-9_+-]+):/g)].map((m) => m[1] ?? '');
      for (const name of emoji) expect(MEANINGFUL_EMOJI, `${where}: :${name}: in "${line}"`).toContain(name);
      expect(new Set(emoji).size, `${where}: an emoji twice in "${line}"`).toBe(emoji.length);
    }
  }
}
