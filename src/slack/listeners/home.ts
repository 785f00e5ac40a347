/**
 * App Home: recent requests with their outcome, pending approvals for approvers, and for
 * operators and approvers a filtered list (mine / waiting for approval / all, one customer).
 * The filter lives in the Home view's private_metadata: Slack keeps a user's published Home
 * without expiry, so the choice stays per user with no store record (a draft would expire).
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { renderHome } from '../../../blocks/home.js';
import { DEFAULT_HOME_FILTER, HOME_SCOPES, type HomeFilter } from '../../../blocks/home-filter.js';
import type { ChangeRequest } from '../../licensing/model.js';
import type { Approval, RequestFilter } from '../../store/store.js';
import { parseMetadata } from '../payloads.js';
import type { ListenerDeps } from './deps.js';
import { isStaff } from './staff.js';

const RECENT = 10;
const PENDING = 10;

/** What publishHome reads of the event (the published Home, when there is one, carries the filter). */
const HomeOpened = z.object({
  user: z.string().min(1).max(255),
  tab: z.string().optional(),
  view: z.object({ private_metadata: z.string().max(3000).optional() }).optional(),
});

const HomeMetadata = z.object({
  homeFilter: z.object({
    scope: z.enum(HOME_SCOPES),
    customer: z.object({ id: z.string().min(1).max(150), name: z.string().max(200) }).nullable(),
  }),
});

/** The filter kept in a Home view's private_metadata; the default when there is none or it does not parse. */
export function homeFilterOf(metadata: string | undefined): HomeFilter {
  return parseMetadata(HomeMetadata, metadata)?.homeFilter ?? DEFAULT_HOME_FILTER;
}

export function publishHome(deps: ListenerDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs) => {
    const opened = HomeOpened.safeParse(event);
    if (!opened.success || opened.data.tab !== 'home') return;
    await publishHomeOf(deps, client, opened.data.user, homeFilterOf(opened.data.view?.private_metadata));
  };
}

/** The requests `filter` matches for `userId`, most recent first. */
function listFilter(userId: string, filter: HomeFilter): RequestFilter {
  return {
    limit: RECENT,
    ...(filter.scope === 'mine' ? { requestedBy: userId } : {}),
    ...(filter.scope === 'pending' ? { status: ['pending_approval'] as const } : {}),
    ...(filter.customer === null ? {} : { customerId: filter.customer.id }),
  };
}

/** The approvals of the listed requests that have one (who decided, and why). */
async function approvalsOf(deps: ListenerDeps, requests: readonly ChangeRequest[]) {
  const found = await Promise.all(requests.map((r) => deps.store.getApproval(r.id)));
  return new Map(found.flatMap((a): [string, Approval][] => (a === null ? [] : [[a.requestId, a]])));
}

/**
 * Renders and publishes `userId`'s Home with `filter` (also after they decided an approval from
 * it, or changed a filter). Only operators and approvers get the filter; others see their own.
 */
export async function publishHomeOf(
  deps: ListenerDeps,
  client: WebClient,
  userId: string,
  filter: HomeFilter = DEFAULT_HOME_FILTER,
): Promise<void> {
  const [staff, isApprover] = await Promise.all([
    isStaff(deps, userId),
    deps.access.approvers.allows(userId),
  ]);
  const shown = staff ? filter : DEFAULT_HOME_FILTER;
  const recent = await deps.store.listRequests(listFilter(userId, shown));
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
    view: renderHome({
      userId,
      recent: recentWithCounts,
      isApprover,
      pending,
      ...(staff
        ? {
            filter: shown,
            approvals: await approvalsOf(deps, recent),
            privateMetadata: JSON.stringify({ homeFilter: shown }),
          }
        : {}),
    }),
  });
}
