/** App Home: the user's recent requests with their outcome, and pending approvals for approvers. */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { renderHome } from '../../../blocks/home.js';
import type { ListenerDeps } from './deps.js';

const RECENT = 10;
const PENDING = 10;

/** What publishHome reads of the event. */
const HomeOpened = z.object({ user: z.string().min(1).max(255), tab: z.string().optional() });

export function publishHome(deps: ListenerDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    const opened = HomeOpened.safeParse(event);
    if (!opened.success || opened.data.tab !== 'home') return;
    await publishHomeOf(deps, client, opened.data.user);
  };
}

/** Renders and publishes `userId`'s Home (also after they decided an approval from it). */
export async function publishHomeOf(deps: ListenerDeps, client: WebClient, userId: string): Promise<void> {
  const [recent, isApprover] = await Promise.all([
    deps.service.recentRequests(userId, RECENT),
    deps.access.approvers.allows(userId),
  ]);
  const pending = isApprover
    ? await Promise.all(
        (await deps.service.pendingApprovals(PENDING)).map(async (approval) => {
          const request = await deps.store.getRequest(approval.requestId);
          // Plan changes named by plan, as in the approval message (read only for those, cached).
          const plans = request === null ? undefined : await deps.approvals.planCatalog(request);
          return { approval, request, plans };
        }),
      )
    : [];
  const recentWithCounts = recent.map((request) => ({ request, counts: deps.service.counts(request) }));
  await client.views.publish({
    user_id: userId,
    view: renderHome({ userId, recent: recentWithCounts, isApprover, pending }),
  });
}
