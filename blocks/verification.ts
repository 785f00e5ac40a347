/**
 * A run's verification in words: the summary's line ("verified", the mismatches, or "not
 * verified"), the thread's message listing each mismatch by user and product, and the words the
 * CSV's mismatch rows use. Products and people by name, never an id.
 */
import type { ChangeRequest, Mismatch, TenantFinding } from '../src/licensing/model.js';
import { context, listFirst, plural, section, sentence, slackDate } from './elements.js';
import { escapeMrkdwn, limits, oneLine, packLinesCapped, truncate } from './limits.js';
import { byName, people, personText } from './people.js';
import { productLabel } from './product-label.js';
import { productOrder } from './product-ops.js';
import type { SlackMessage } from './run-summary.js';

/** Mismatches named in the summary before "and N more". */
const NAMED_IN_SUMMARY = 3;
/** Sections of the thread's mismatch message (each ≤ 3,000 characters); the CSV has every one. */
const MISMATCH_SECTIONS = 20;

/** What the run reported, as a phrase: "reported assigned", "reported failed". */
export function reportedWords(m: Pick<Mismatch, 'op' | 'reported'>): string {
  if (m.reported === 'failed') return `reported failed (not ${m.op === 'assign' ? 'assigned' : 'revoked'})`;
  if (m.reported === 'noop') return m.op === 'assign' ? 'reported as already held' : 'reported as not held';
  return m.op === 'assign' ? 'reported assigned' : 'reported revoked';
}

const FOUND_WORDS: Readonly<Record<TenantFinding, string>> = {
  not_held: 'the user does not hold it',
  held_directly: 'the user holds it',
  held_via_group: 'the user holds it only through a group',
  other_plans: 'the user holds it with other service plans turned off',
  user_not_found: 'the user is no longer in the directory',
};

/** What the tenant showed, as a phrase: "the user does not hold it". */
export function foundWords(found: TenantFinding): string {
  return FOUND_WORDS[found];
}

/** "reported assigned, but the tenant shows the user does not hold it" (plain text). */
function mismatchWords(m: Pick<Mismatch, 'op' | 'reported' | 'found'>): string {
  return `${reportedWords(m)}, but the tenant shows ${foundWords(m.found)}`;
}

/** "Reported assigned, but the tenant shows the user does not hold it" (plain text). */
export function mismatchSentence(m: Pick<Mismatch, 'op' | 'reported' | 'found'>): string {
  return sentence(mismatchWords(m));
}

/** "2 results do not match the tenant" / "1 result does not match the tenant". */
function notMatching(n: number): string {
  return `${plural(n, 'result')} ${n === 1 ? 'does' : 'do'} not match the tenant`;
}

/** The mismatches sorted by person, then product order, then operation. */
function sorted(request: ChangeRequest, mismatches: readonly Mismatch[]): Mismatch[] {
  const names = byName(people(request));
  const rank = productOrder(request);
  return [...mismatches].sort(
    (a, b) =>
      names(a.userId, b.userId) ||
      (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) ||
      rank(a.skuId) - rank(b.skuId) ||
      a.op.localeCompare(b.op),
  );
}

/**
 * The summary's verification line (mrkdwn), or null for a request not verified yet (running, or
 * completed before verification existed).
 */
export function verificationLine(request: ChangeRequest): string | null {
  const v = request.verification;
  if (v === undefined) return null;
  if (v.unverified === 'read_failed')
    return ":grey_question: *Not verified*: the users' licenses could not be read back from the tenant.";
  if (v.unverified === 'out_of_time')
    return ":grey_question: *Not verified*: reading the users' licenses back from the tenant took too long.";
  if (v.mismatches.length === 0)
    return `:white_check_mark: Verified against the tenant: ${plural(v.checked, 'result')} checked`;
  const map = people(request);
  const list = sorted(request, v.mismatches);
  const named = listFirst(
    list,
    NAMED_IN_SUMMARY,
    (m) => `${personText(map, m.userId, false)} (${productLabel(request, m.skuId)})`,
  );
  const n = v.mismatches.length;
  return truncate(`:warning: *${notMatching(n)}*: ${named}. See the thread.`, limits.sectionText);
}

/** The verification for the summary's notification text: "; verified against the tenant", or '' before it. */
export function verificationWords(request: ChangeRequest): string {
  const v = request.verification;
  if (v === undefined) return '';
  if (v.unverified !== undefined) return '; not verified against the tenant';
  const n = v.mismatches.length;
  return n === 0 ? '; verified against the tenant' : `; ${notMatching(n)}`;
}

/**
 * The thread's message of mismatches, one line per user and product in words ("Ada Adams
 * (ada@…): *Office 365 E3* reported assigned, but the tenant shows the user does not hold it");
 * none when the run was verified without one.
 */
export function renderMismatches(request: ChangeRequest): SlackMessage[] {
  const v = request.verification;
  if (v === undefined || v.mismatches.length === 0) return [];
  const map = people(request);
  const lines = sorted(request, v.mismatches).map(
    (m) => `• ${personText(map, m.userId, true)}: *${productLabel(request, m.skuId)}* ${mismatchWords(m)}`,
  );
  const n = v.mismatches.length;
  const heading = `:warning: *${notMatching(n)}*`;
  const texts = packLinesCapped(
    [heading, ...lines],
    MISMATCH_SECTIONS,
    (more) => `…and ${more} more: the attached CSV has every mismatch.`,
  );
  return [
    {
      text: truncate(
        escapeMrkdwn(
          `${plural(n, 'result')} of the license request for ${oneLine(request.customerName)} do not match the tenant`,
        ),
        limits.messageText,
      ),
      blocks: [
        ...texts.map((t) => section(t)),
        context([
          `The users' licenses were read back from the tenant ${slackDate(v.at)}, after the run; these differed on every read. Check them in the admin center, or run the change again.`,
        ]),
      ],
    },
  ];
}
