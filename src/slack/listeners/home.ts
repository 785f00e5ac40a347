/** App Home: the user's recent requests with their outcome, and pending approvals for approvers. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { renderHome } from '../../../blocks/home.js';
import type { ListenerDeps } from './deps.js';

const RECENT = 10;
const PENDING = 10;

export function publishHome(deps: ListenerDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    if (event.tab !== 'home') return;
    const userId = event.user;
    const [recent, isApprover] = await Promise.all([
      deps.service.recentRequests(userId, RECENT),
      deps.access.approvers.allows(userId),
    ]);
    const pending = isApprover
      ? await Promise.all(
          (await deps.service.pendingApprovals(PENDING)).map(async (approval) => ({
            approval,
            request: await deps.store.getRequest(approval.requestId),
          })),
        )
      : [];
    const recentWithCounts = recent.map((request) => ({ request, counts: deps.service.counts(request) }));
    await client.views.publish({
      user_id: userId,
      view: renderHome({ userId, recent: recentWithCounts, isApprover, pending }),
    });
  };
}
