/**
 * The directory's licensing refusals, which Graph answers and Partner Center passes through, as
 * FailureReasons (reference §1.6; the messages are English only).
 */
import type { FailureReason } from '../licensing/model.js';

const substringRules: Array<{ text: string; reason: FailureReason; skuInMessage: boolean }> = [
  { text: 'does not have any available licenses', reason: 'insufficient_licenses', skuInMessage: true },
  { text: 'mutually exclusive', reason: 'mutually_exclusive', skuInMessage: false },
  { text: 'depends on the service plan', reason: 'missing_prerequisite', skuInMessage: false },
  { text: 'inherited from a group', reason: 'inherited_from_group', skuInMessage: false },
  { text: 'does not correspond to a valid company license', reason: 'provider_error', skuInMessage: true },
  { text: 'does not have a corresponding license', reason: 'provider_error', skuInMessage: false },
  { text: 'cannot be assigned to a user', reason: 'provider_error', skuInMessage: true },
];

/** What a directory message is about. */
export interface DirectoryRefusal {
  reason: FailureReason;
  skuId: string | undefined;
  /** "Invalid usage location": missing vs not allowed depends on the user's current value. */
  usageLocation: boolean;
}

/**
 * "Invalid usage location" covers both a missing value and a country the product is not sold in;
 * the caller decides by looking at the user (`usageLocation: true`). Null for any other message.
 */
export function classifyDirectoryMessage(text: string): DirectoryRefusal | null {
  const lower = text.toLowerCase();
  if (lower.includes('invalid usage location')) {
    return { reason: 'usage_location_missing', skuId: undefined, usageLocation: true };
  }
  for (const rule of substringRules) {
    if (lower.includes(rule.text)) {
      const skuId = rule.skuInMessage ? guidsIn(text)[0] : undefined;
      return { reason: rule.reason, skuId, usageLocation: false };
    }
  }
  return null;
}

/** The GUIDs (SKU and plan ids) a message names, lower-cased, in order. */
export function guidsIn(text: string): string[] {
  return [...text.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)].map((match) =>
    match[0].toLowerCase(),
  );
}
