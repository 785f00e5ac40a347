/** The manage step's "Replace A with B" as the operator uses it, for the e2e tests. */
import { ids } from '../../blocks/ids.js';
import type { UserChange } from '../../src/licensing/model.js';
import type { LicenseProvider } from '../../src/providers/license-provider.js';
import { type AppHarness, OPERATOR } from '../support/app-harness.js';
import { findAction, optionsOf } from '../support/slack-driver.js';
import type { SlackObject } from '../support/slack-fake.js';
import { type Change, click, confirm, current, showsPreview, toPreview } from './flow.js';

/** The option of `skuId` in one of the replace selects of the view. */
export function replaceOption(
  h: AppHarness,
  viewId: string,
  side: 'from' | 'to',
  skuId: string,
): SlackObject {
  const [blockId, actionId] =
    side === 'from'
      ? [ids.blocks.replaceFrom, ids.actions.replaceFrom]
      : [ids.blocks.replaceTo, ids.actions.replaceTo];
  const option = optionsOf(findAction(current(h, viewId), actionId, blockId).element).find(
    (o) => o.value === skuId,
  );
  if (!option) throw new Error(`${skuId} is not offered to replace (${side})`);
  return option;
}

export interface ReplaceChange extends Change {
  from?: string;
  to?: string;
}

/** The manage step's state values of a replacement (either side may be left out) and any ticks. */
function replaceValues(h: AppHarness, viewId: string, change: ReplaceChange): Change {
  const picked = (side: 'from' | 'to', skuId: string | undefined) => {
    if (skuId === undefined) return {};
    const [blockId, actionId] =
      side === 'from'
        ? [ids.blocks.replaceFrom, ids.actions.replaceFrom]
        : [ids.blocks.replaceTo, ids.actions.replaceTo];
    return { [blockId]: { [actionId]: { selected_option: replaceOption(h, viewId, side, skuId) } } };
  };
  const { from, to, ...rest } = change;
  return { ...rest, values: { ...rest.values, ...picked('from', from), ...picked('to', to) } };
}

/** Submits the manage step with a replacement: the refusal (errors), or its preview on screen. */
export async function previewReplace(h: AppHarness, viewId: string, change: ReplaceChange, user = OPERATOR) {
  if (current(h, viewId).callbackId === ids.views.preview)
    await click(h, viewId, ids.actions.previewBack, user);
  return toPreview(h, viewId, replaceValues(h, viewId, change), user);
}

/** Submits the manage step with a replacement and confirms its preview (see flow.ts submitChange). */
export async function submitReplace(h: AppHarness, viewId: string, change: ReplaceChange, user = OPERATOR) {
  const answer = await previewReplace(h, viewId, change, user);
  if (answer.responseAction !== 'update' || !showsPreview(current(h, viewId))) return answer;
  return confirm(h, viewId, user);
}

/** A provider that records every change it is asked to apply, per user, in order. */
export function recordingChanges<P extends LicenseProvider>(provider: P) {
  const calls: { userId: string; change: UserChange }[] = [];
  const wrapped = new Proxy(provider, {
    get(target, key) {
      if (key === 'applyUserChange') {
        return (customerId: string, userId: string, change: UserChange) => {
          calls.push({ userId, change: structuredClone(change) });
          return target.applyUserChange(customerId, userId, change);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { provider: wrapped, calls };
}
