/** Failure reasons in words, for the thread replies and the CSV. */
import type { FailureReason } from '../src/licensing/model.js';

export type FailureMessages = Readonly<Record<FailureReason, string>>;

/** The message for a reason, from the table when given, else the code in words. */
export function reasonText(reason: FailureReason | undefined, messages?: FailureMessages): string {
  const code: FailureReason = reason ?? 'provider_error';
  const text = messages?.[code];
  if (text) return text;
  const words = code.replace(/_/g, ' ');
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}
