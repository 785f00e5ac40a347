/** Checks the blocks tests share on a rendered modal. */
import type { KnownBlock, ModalView } from '@slack/types';
import { expect } from 'vitest';
import { limits } from '../../blocks/limits.js';
import { validateModalView } from './block-kit.js';

/** The mrkdwn/plain text of each section block, in order. */
export function sectionTexts(view: ModalView): string[] {
  return (view.blocks as KnownBlock[]).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

/** A valid modal within Slack's block, section-text and private_metadata limits. */
export function expectFits(view: ModalView): void {
  expect(validateModalView(view)).toEqual([]);
  expect(view.blocks.length).toBeLessThanOrEqual(limits.viewBlocks);
  for (const t of sectionTexts(view)) expect(t.length).toBeLessThanOrEqual(limits.sectionText);
  expect((view.private_metadata ?? '').length).toBeLessThanOrEqual(limits.privateMetadata);
}
