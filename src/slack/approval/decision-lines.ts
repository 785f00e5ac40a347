/** The lines the approval step tells in threads: a decision, and an approved run's final counts. */
import { slackDate, userMention } from '../../../blocks/elements.js';
import { escapeMrkdwn } from '../../../blocks/limits.js';
import { countsText } from '../../../blocks/run-summary.js';
import type { RunCounts } from '../../licensing/model.js';
import type { Approval } from '../../store/store.js';

/** What the operator is told about a decision; null while pending. */
export function decisionLine(approval: Approval): string | null {
  const who = approval.decidedBy === undefined ? 'someone' : userMention(approval.decidedBy);
  const when = approval.decidedAt === undefined ? '' : ` ${slackDate(approval.decidedAt)}`;
  switch (approval.status) {
    case 'approved':
      return `:white_check_mark: Approved by ${who}${when}. Running it now against the tenant as it is; what no longer applies is reported as no change.`;
    case 'rejected': {
      const reason =
        approval.decisionReason === undefined ? '' : `: “${escapeMrkdwn(approval.decisionReason)}”`;
      return `:no_entry: Rejected by ${who}${when}${reason}. Nothing was changed.`;
    }
    case 'expired':
      return `:hourglass: This request expired ${slackDate(approval.expiresAt)} without a decision. Nothing was changed; submit it again if it is still needed.`;
    case 'pending':
      return null;
  }
}

/** The final counts of an approved run, for the approval message's thread. */
export function countsLine(counts: RunCounts): string {
  return `Run finished: ${countsText(counts)} (of ${counts.total}).`;
}
