/** What people are told about a run outside its summary and results (one place for these texts). */

/** In the summary's thread (or a DM) when a run fails for a reason nobody planned for. */
export const RUN_STOPPED_TEXT =
  'The run stopped because of an unexpected error. What was done is kept; it resumes when LicenseDesk restarts.';

/** A DM to the operator when the summary of their fresh request could not be posted anywhere. */
export function summaryNotPostedText(requestId: string): string {
  return `Request ${requestId} was saved, but its summary could not be posted. Its outcome will be on the LicenseDesk App Home.`;
}
