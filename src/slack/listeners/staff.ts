/** Operators and approvers ("staff"): who may filter App Home's requests and export the audit log. */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { actingUserId, refuse } from '../access.js';
import type { ListenerDeps } from './deps.js';

export const STAFF_ONLY =
  "Only LicenseDesk operators and approvers may read the audit log or everyone's requests.";

/** Whether `userId` (from the signed payload) is an operator or an approver. */
export async function isStaff(deps: ListenerDeps, userId: string | undefined): Promise<boolean> {
  const [operator, approver] = await Promise.all([
    deps.access.operators.allows(userId),
    deps.access.approvers.allows(userId),
  ]);
  return operator || approver;
}

/** Lets the request through only for operators and approvers. */
export function requireStaff(deps: ListenerDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    if (await isStaff(deps, actingUserId(args))) {
      await args.next();
      return;
    }
    await refuse(args, STAFF_ONLY);
  };
}
